package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// TokensFile is the --tokens-file format (YAML or JSON):
//
//	tokens:
//	  - {name: alice, role: admin, sha256: <hex sha256 of the token>}
type TokensFile struct {
	Tokens []struct {
		Name   string `json:"name"`
		Role   Role   `json:"role"`
		SHA256 string `json:"sha256"`
	} `json:"tokens"`
}

// LoadTokensFile adds every token of a tokens file to k.
func (k *Keyring) LoadTokensFile(path string) error {
	raw, err := readPrivate(path, "tokens file")
	if err != nil {
		return err
	}
	var f TokensFile
	if err := yaml.UnmarshalStrict(raw, &f); err != nil {
		return fmt.Errorf("parse tokens file %s: %w", path, err)
	}
	for _, t := range f.Tokens {
		if err := k.AddHash(t.Name, t.Role, t.SHA256); err != nil {
			return fmt.Errorf("tokens file %s: %w", path, err)
		}
	}
	return nil
}

// DevTokensFileName is where generated development tokens live in the data dir.
const DevTokensFileName = "dev-tokens.json"

// DevTokens are generated when no token is configured, so that a newcomer's
// first start is usable and still closed to anyone without file access.
type DevTokens struct {
	Admin  string `json:"admin"`
	Reader string `json:"reader"`
}

// LoadOrCreateDevTokens reads dir/dev-tokens.json, creating it (mode 0600)
// with fresh random tokens on first use. created says which happened.
func LoadOrCreateDevTokens(dir string) (t DevTokens, path string, created bool, err error) {
	path = filepath.Join(dir, DevTokensFileName)
	raw, err := readPrivate(path, "dev tokens file")
	switch {
	case errors.Is(err, errTooOpen):
		return t, path, false, err
	case err == nil:
		if err := json.Unmarshal(raw, &t); err != nil || t.Admin == "" || t.Reader == "" {
			return t, path, false, fmt.Errorf("dev tokens file %s is damaged; delete it to make new tokens", path)
		}
		return t, path, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return t, path, false, fmt.Errorf("read dev tokens: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return t, path, false, fmt.Errorf("create data dir: %w", err)
	}
	t = DevTokens{Admin: "qbk_admin_" + randomToken(), Reader: "qbk_reader_" + randomToken()}
	raw, _ = json.MarshalIndent(t, "", "  ")
	// O_EXCL: two servers starting on one data dir must not each write
	// different tokens; the loser reads the winner's.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateDevTokens(dir)
	}
	if err != nil {
		return t, path, false, fmt.Errorf("write dev tokens: %w", err)
	}
	if _, err := f.Write(append(raw, '\n')); err != nil {
		f.Close()
		return t, path, false, fmt.Errorf("write dev tokens: %w", err)
	}
	if err := f.Close(); err != nil {
		return t, path, false, fmt.Errorf("write dev tokens: %w", err)
	}
	return t, path, true, nil
}

// errTooOpen marks a secrets file that others may read or write.
var errTooOpen = errors.New("readable or writable by group or others")

// readPrivate reads a file of secrets, refusing one that group or others
// may read (they could take the tokens) or write (they could add an admin
// token of their own).
func readPrivate(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		return nil, fmt.Errorf("%s %s has mode %04o, %w: it holds secrets; run `chmod 600 %s` (and check who could have changed it)",
			what, path, mode, errTooOpen, path)
	}
	raw, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return raw, nil
}

func randomToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // the OS has no entropy: nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
