package server_test

// The end-to-end tests run a real server through internal/testserver, used
// directly; these are the few small helpers they share besides.

import (
	"fmt"

	"github.com/layersrank/qbank/internal/testserver"
)

const (
	adminToken  = testserver.AdminToken
	readerToken = testserver.ReaderToken
)

func str(v any) string { return fmt.Sprint(v) }

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
