package qbank

import "time"

// Template is a saved assembly configuration: LayersRank's default for a role
// (Owner empty) or a customer's own (Owner is the customer org id).
type Template struct {
	ID                  string         `json:"id"`
	Title               string         `json:"title"`
	Owner               string         `json:"owner,omitempty"`
	Role                string         `json:"role"`
	Seniority           string         `json:"seniority,omitempty"`
	Stacks              []string       `json:"stacks,omitempty"`
	MinMinutes          int            `json:"minMinutes"`
	MaxMinutes          int            `json:"maxMinutes"`
	DimensionWeights    map[string]int `json:"dimensionWeights,omitempty"` // empty = the role's
	RequiredQuestionIDs []string       `json:"requiredQuestionIds,omitempty"`
	ExcludedQuestionIDs []string       `json:"excludedQuestionIds,omitempty"`
	Etag                string         `json:"etag,omitempty"`
	CreateTime          time.Time      `json:"createTime,omitzero"`
	UpdateTime          time.Time      `json:"updateTime,omitzero"`
}
