package auth_test

import (
	"fmt"
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

// TestSecretFilesOthersCanReachAreRefused: a token file that group or
// others may read or write is refused, naming the file, its mode and the fix.
func TestSecretFilesOthersCanReachAreRefused(t *testing.T) {
	dir := t.TempDir()
	if _, _, _, err := auth.LoadOrCreateDevTokens(dir); err != nil {
		t.Fatal(err)
	}
	dev := filepath.Join(dir, auth.DevTokensFileName)
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	content := "tokens:\n  - {name: alice, role: admin, sha256: " + auth.HashToken("alice-secret-token-123") + "}\n"
	if err := os.WriteFile(tokens, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o666, 0o640, 0o620, 0o604, 0o602} {
		for _, p := range []string{dev, tokens} {
			if err := os.Chmod(p, mode); err != nil {
				t.Fatal(err)
			}
		}
		_, _, _, devErr := auth.LoadOrCreateDevTokens(dir)
		fileErr := (&auth.Keyring{}).LoadTokensFile(tokens)
		for p, err := range map[string]error{dev: devErr, tokens: fileErr} {
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), fmt.Sprintf("%04o", mode)) || !strings.Contains(err.Error(), "chmod 600") {
				t.Errorf("%s at %04o: %v, want a refusal naming it, its mode and chmod 600", filepath.Base(p), mode, err)
			}
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		for _, p := range []string{dev, tokens} {
			if err := os.Chmod(p, mode); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, _, err := auth.LoadOrCreateDevTokens(dir); err != nil {
			t.Errorf("dev tokens at %04o: %v", mode, err)
		}
		if err := (&auth.Keyring{}).LoadTokensFile(tokens); err != nil {
			t.Errorf("tokens file at %04o: %v", mode, err)
		}
	}
}
