// Package auth decides who may call what: bearer tokens mapped to a named
// principal with a role, checked by gRPC interceptors before any handler runs.
// Tokens are held only as SHA-256 hashes, compared in constant time, and
// never logged.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
)

// Role is what a principal may do.
type Role string

// The roles: readers read and assemble, admins also write.
const (
	RoleReader Role = "reader"
	RoleAdmin  Role = "admin"
)

// Allows reports whether a principal with role r may call a method that needs
// role need.
func (r Role) Allows(need Role) bool {
	return r == RoleAdmin || (r == RoleReader && need == RoleReader)
}

// Principal is an authenticated caller; Name is recorded as the author of the
// versions it writes.
type Principal struct {
	Name string
	Role Role
}

type entry struct {
	hash      [sha256.Size]byte
	principal Principal
}

// Keyring maps token hashes to principals.
type Keyring struct{ entries []entry }

// MinTokenLen keeps guessable tokens out: 16 characters of a random token
// are ~96 bits.
const MinTokenLen = 16

// AddToken registers a plaintext token (from the environment).
func (k *Keyring) AddToken(name string, role Role, token string) error {
	if len(token) < MinTokenLen {
		return fmt.Errorf("token for %q is %d characters; use at least %d random characters", name, len(token), MinTokenLen)
	}
	return k.add(name, role, sha256.Sum256([]byte(token)))
}

// AddHash registers a token by its hex SHA-256 (from a tokens file).
func (k *Keyring) AddHash(name string, role Role, hexHash string) error {
	raw, err := hex.DecodeString(strings.TrimSpace(hexHash))
	if err != nil || len(raw) != sha256.Size {
		return fmt.Errorf("token %q: sha256 must be 64 hex characters", name)
	}
	var h [sha256.Size]byte
	copy(h[:], raw)
	return k.add(name, role, h)
}

func (k *Keyring) add(name string, role Role, h [sha256.Size]byte) error {
	if name == "" {
		return fmt.Errorf("a token needs a name")
	}
	if role != RoleAdmin && role != RoleReader {
		return fmt.Errorf("token %q: role must be admin or reader, not %q", name, role)
	}
	for _, e := range k.entries {
		if e.principal.Name == name {
			return fmt.Errorf("token name %q is used twice", name)
		}
		if subtle.ConstantTimeCompare(e.hash[:], h[:]) == 1 {
			return fmt.Errorf("token %q is the same token as %q", name, e.principal.Name)
		}
	}
	k.entries = append(k.entries, entry{hash: h, principal: Principal{Name: name, Role: role}})
	return nil
}

// Len is the number of registered tokens.
func (k *Keyring) Len() int { return len(k.entries) }

// Lookup returns the principal a token belongs to. It compares against every
// entry, whatever matches, so timing reveals nothing about the token.
func (k *Keyring) Lookup(token string) (Principal, bool) {
	h := sha256.Sum256([]byte(token))
	var found Principal
	ok := 0
	for _, e := range k.entries {
		if subtle.ConstantTimeCompare(e.hash[:], h[:]) == 1 {
			found, ok = e.principal, 1
		}
	}
	return found, ok == 1
}

// HashToken returns the hex SHA-256 of a token, as a tokens file stores it.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the authenticated principal of a call.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
