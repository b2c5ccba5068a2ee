package catalog

import (
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/layersrank/qbank"
)

// Postings map an index key ("role:backend-engineer", "word:latency", …) to
// the slots of the questions that have it, sorted by question id, so a page
// of a filtered list is a merge of short sorted lists, never a scan.
type postings map[string][]int32

// Index keys. A question without seniorities suits every seniority, and one
// without stacks every stack, so those get a wildcard key that filters union
// in.
func keys(q *qbank.Question) []string {
	out := []string{
		"state:" + string(q.State),
		"dim:" + q.Dimension,
		"comp:" + q.Competency,
		"fmt:" + string(q.ResponseFormat),
	}
	for _, r := range q.Roles {
		out = append(out, "role:"+r)
	}
	if len(q.Stacks) == 0 {
		out = append(out, "stack:*")
	}
	for _, s := range q.Stacks {
		out = append(out, "stack:"+s)
	}
	if len(q.Seniorities) == 0 {
		out = append(out, "sen:*")
	}
	for _, s := range q.Seniorities {
		out = append(out, "sen:"+s)
	}
	for _, c := range q.Collections {
		out = append(out, "coll:"+c)
	}
	for _, w := range words(searchText(q)) {
		out = append(out, "word:"+w)
	}
	return out
}

// searchText is what a text query searches: the id, text, what it reveals,
// competency, follow-ups and stack variants.
func searchText(q *qbank.Question) string {
	parts := []string{q.ID, q.Text, q.WhatItReveals, q.Competency}
	parts = append(parts, q.FollowUps...)
	for _, k := range slices.Sorted(maps.Keys(q.StackVariants)) {
		parts = append(parts, q.StackVariants[k].Text)
	}
	return strings.Join(parts, "\n")
}

// words splits text into distinct lowercase words of letters and digits.
func words(text string) []string {
	fields := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	slices.Sort(fields)
	return slices.Compact(fields)
}

// byID orders slots by their question's id.
type byID struct{ qs []*qbank.Question }

func (o byID) cmp(a, b int32) int { return strings.Compare(o.qs[a].ID, o.qs[b].ID) }

// insert returns list with slot added in id order (a new slice: lists are
// shared with older snapshots and never mutated).
func (o byID) insert(list []int32, slot int32) []int32 {
	i, found := slices.BinarySearchFunc(list, slot, o.cmp)
	if found {
		return list
	}
	out := make([]int32, 0, len(list)+1)
	out = append(out, list[:i]...)
	out = append(out, slot)
	return append(out, list[i:]...)
}

// remove returns list without slot (a new slice).
func (o byID) remove(list []int32, slot int32) []int32 {
	i, found := slices.BinarySearchFunc(list, slot, o.cmp)
	if !found {
		return list
	}
	out := make([]int32, 0, len(list)-1)
	out = append(out, list[:i]...)
	return append(out, list[i+1:]...)
}

// intersect returns the slots in every list, in id order. It walks the
// shortest list and binary-searches the others, so its cost follows the
// smallest list, not the bank.
func (o byID) intersect(lists [][]int32) []int32 {
	if len(lists) == 0 {
		return nil
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	out := make([]int32, 0, len(lists[0]))
	pos := make([]int, len(lists))
next:
	for _, slot := range lists[0] {
		for i := 1; i < len(lists); i++ {
			rest := lists[i][pos[i]:]
			j, found := slices.BinarySearchFunc(rest, slot, o.cmp)
			pos[i] += j
			if !found {
				continue next
			}
		}
		out = append(out, slot)
	}
	return out
}

// union merges lists into one id-ordered list without duplicates.
func (o byID) union(lists [][]int32) []int32 {
	switch len(lists) {
	case 0:
		return nil
	case 1:
		return lists[0]
	}
	total := 0
	for _, l := range lists {
		total += len(l)
	}
	out := make([]int32, 0, total)
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.SortFunc(out, o.cmp)
	return slices.Compact(out)
}
