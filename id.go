package qbank

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// idStopWords are left out of derived ids: they make an id longer without
// making it easier to recognise.
var idStopWords = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "of": true, "to": true, "in": true, "on": true,
	"for": true, "with": true, "at": true, "by": true, "from": true, "about": true, "as": true, "is": true,
	"are": true, "was": true, "were": true, "be": true, "been": true, "it": true, "its": true, "that": true,
	"this": true, "these": true, "those": true, "you": true, "your": true, "me": true, "my": true, "i": true,
	"we": true, "our": true, "they": true, "their": true, "tell": true, "time": true, "describe": true,
	"how": true, "what": true, "when": true, "why": true, "which": true, "who": true, "did": true, "do": true,
	"does": true, "would": true, "could": true, "should": true, "can": true, "have": true, "has": true,
	"had": true, "walk": true, "through": true, "us": true, "give": true, "example": true, "some": true,
}

// maxDerivedWords and maxDerivedLen keep derived ids short enough to read
// and type.
const (
	maxDerivedWords = 6
	maxDerivedLen   = 48
)

// DeriveID makes a readable, unique kebab-case id for a question created
// without one, from the words of its text ("Tell me about a schema
// migration you ran on a busy table" → "schema-migration-ran-busy-table"):
// accents are dropped, stop words left out, and "-2", "-3", … appended
// while taken says the id is in use. A text with too few usable letters
// gets a random id.
func DeriveID(text string, taken func(string) bool) string {
	var words []string
	length := 0
	for _, w := range strings.FieldsFunc(foldASCII(text), func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		if idStopWords[w] {
			continue
		}
		if length+len(w)+1 > maxDerivedLen || len(words) == maxDerivedWords {
			break
		}
		words = append(words, w)
		length += len(w) + 1
	}
	base := strings.Join(words, "-")
	if len(base) < MinIDLen {
		return randomID()
	}
	id := base
	for n := 2; taken(id); n++ {
		if n > 1000 {
			return randomID()
		}
		id = base + "-" + strconv.Itoa(n)
	}
	return id
}

// foldASCII lowercases s and drops the accents of Latin letters (é → e).
func foldASCII(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func randomID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "question-" + hex.EncodeToString(b[:])
}
