// Package qbank holds the question bank's domain: the taxonomy, questions and
// their versions, templates, the rules that make them valid, and the error
// type every layer uses to carry a failure's meaning to the wire.
//
// It depends on nothing else in the module; storage (repository/), transport
// (server/) and content (seed/) all depend on it.
package qbank
