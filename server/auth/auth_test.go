package auth_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layersrank/qbank/server/auth"
)

func TestKeyring(t *testing.T) {
	k := &auth.Keyring{}
	if err := k.AddToken("admin", auth.RoleAdmin, "short"); err == nil {
		t.Error("a 5-character token was accepted")
	}
	if err := k.AddToken("admin", auth.RoleAdmin, "admin-token-0123456789"); err != nil {
		t.Fatal(err)
	}
	if err := k.AddToken("other", auth.RoleReader, "admin-token-0123456789"); err == nil {
		t.Error("the same token was registered twice")
	}
	if err := k.AddToken("admin", auth.RoleReader, "reader-token-0123456789"); err == nil {
		t.Error("a name was registered twice")
	}
	if err := k.AddToken("bad-role", "owner", "owner-token-0123456789"); err == nil {
		t.Error("an unknown role was accepted")
	}
	p, ok := k.Lookup("admin-token-0123456789")
	if !ok || p.Name != "admin" || p.Role != auth.RoleAdmin {
		t.Errorf("Lookup = %+v, %v", p, ok)
	}
	if _, ok := k.Lookup("admin-token-012345678"); ok {
		t.Error("a prefix of a token was accepted")
	}
}

func TestTokensFileHoldsHashes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.yaml")
	content := "tokens:\n" +
		"  - {name: alice, role: admin, sha256: " + auth.HashToken("alice-secret-token-123") + "}\n" +
		"  - {name: platform, role: reader, sha256: " + auth.HashToken("platform-secret-token-123") + "}\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	k := &auth.Keyring{}
	if err := k.LoadTokensFile(path); err != nil {
		t.Fatal(err)
	}
	if p, ok := k.Lookup("platform-secret-token-123"); !ok || p.Name != "platform" || p.Role != auth.RoleReader {
		t.Errorf("platform = %+v %v", p, ok)
	}
	if _, ok := k.Lookup(auth.HashToken("alice-secret-token-123")); ok {
		t.Error("the stored hash itself worked as a token")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	_ = os.WriteFile(bad, []byte("tokens:\n  - {name: x, role: admin, sha256: nothex}\n"), 0o600)
	if err := (&auth.Keyring{}).LoadTokensFile(bad); err == nil || !strings.Contains(err.Error(), "64 hex") {
		t.Errorf("bad hash: %v", err)
	}
}

func TestRoles(t *testing.T) {
	if !auth.RoleAdmin.Allows(auth.RoleReader) || !auth.RoleAdmin.Allows(auth.RoleAdmin) || !auth.RoleReader.Allows(auth.RoleReader) {
		t.Error("a role lacks what it should have")
	}
	if auth.RoleReader.Allows(auth.RoleAdmin) {
		t.Error("a reader may write")
	}
}

func TestDevTokensAreStableAndPrivate(t *testing.T) {
	dir := t.TempDir()
	first, path, created, err := auth.LoadOrCreateDevTokens(dir)
	if err != nil || !created {
		t.Fatalf("first call: created=%v err=%v", created, err)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	again, _, created, err := auth.LoadOrCreateDevTokens(dir)
	if err != nil || created || again != first {
		t.Errorf("second call made new tokens (%v, %v)", created, err)
	}
	if first.Admin == first.Reader || len(first.Admin) < auth.MinTokenLen {
		t.Errorf("weak dev tokens: %+v", first)
	}
}
