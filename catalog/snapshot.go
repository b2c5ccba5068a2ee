package catalog

import (
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// Snapshot is the bank at one revision. It is never mutated after it is
// published, so readers use it without locks; a write produces a new
// snapshot that shares every unchanged question and posting list with the
// old one.
type Snapshot struct {
	Revision  int64
	Taxonomy  *qbank.Taxonomy
	Templates []qbank.Template // ordered by id

	qs     []*qbank.Question // by slot; questions are never deleted, so slots are stable
	order  []int32           // every slot, in id order
	slotOf map[string]int32
	post   postings
	vocab  []string // every indexed word, sorted, for prefix search
	// derived holds values computed from this snapshot (Memo): filter
	// results, assembly candidates, wire forms.
	derived *derivedValues
	// tokenKey authenticates page tokens (the catalog's, see list.go).
	tokenKey []byte
}

// build makes the first snapshot from a full load.
func build(c repository.Contents) *Snapshot {
	s := &Snapshot{
		Revision: c.Revision, Taxonomy: c.Taxonomy, Templates: sortedTemplates(c.Templates),
		qs: make([]*qbank.Question, len(c.Questions)), order: make([]int32, len(c.Questions)),
		slotOf: make(map[string]int32, len(c.Questions)), post: postings{}, derived: &derivedValues{},
	}
	// Stores return questions in id order; sort only if one did not (the
	// slice is ours: Load hands it over).
	qs := c.Questions
	byIDOrder := func(a, b qbank.Question) int { return strings.Compare(a.ID, b.ID) }
	if !slices.IsSortedFunc(qs, byIDOrder) {
		slices.SortFunc(qs, byIDOrder)
	}
	// Computing a question's keys (tokenising its text) is most of the
	// start-up cost of a large bank, so it runs on every CPU, a chunk at a
	// time to bound the memory the keys take before they are posted.
	const chunk = 4096
	chunkKeys := make([][]string, chunk)
	workers := runtime.GOMAXPROCS(0)
	for lo := 0; lo < len(qs); lo += chunk {
		hi := min(lo+chunk, len(qs))
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo + w; i < hi; i += workers {
					chunkKeys[i-lo] = keys(&qs[i])
				}
			}()
		}
		wg.Wait()
		for i := lo; i < hi; i++ {
			slot := int32(i)
			s.qs[i], s.order[i], s.slotOf[qs[i].ID] = &qs[i], slot, slot
			// Slots are assigned in id order here, so appending keeps every
			// posting list sorted without a search.
			for _, k := range chunkKeys[i-lo] {
				s.post[k] = append(s.post[k], slot)
			}
		}
	}
	for k := range s.post {
		if w, ok := strings.CutPrefix(k, "word:"); ok {
			s.vocab = append(s.vocab, w)
		}
	}
	slices.Sort(s.vocab)
	return s
}

// apply returns the snapshot after a batch of changes, copying only the
// posting lists the changed questions touch.
func (s *Snapshot) apply(ch repository.Changes) *Snapshot {
	n := &Snapshot{
		Revision: ch.Revision, Taxonomy: s.Taxonomy, Templates: s.Templates,
		qs: slices.Clone(s.qs), order: s.order, slotOf: s.slotOf, post: maps.Clone(s.post),
		vocab: s.vocab, derived: &derivedValues{}, tokenKey: s.tokenKey,
	}
	if ch.Taxonomy != nil {
		n.Taxonomy = ch.Taxonomy
	}
	if len(ch.Templates) > 0 || len(ch.DeletedTemplates) > 0 {
		n.Templates = mergeTemplates(s.Templates, ch.Templates, ch.DeletedTemplates)
	}
	o := byID{qs: n.qs}
	addedIDs := false
	for i := range ch.Questions {
		q := &ch.Questions[i]
		var oldKeys []string
		slot, exists := n.slotOf[q.ID]
		if exists {
			oldKeys = keys(n.qs[slot])
			n.qs[slot] = q
		} else {
			if !addedIDs {
				n.slotOf, n.order, addedIDs = maps.Clone(s.slotOf), slices.Clone(s.order), true
			}
			slot = int32(len(n.qs))
			n.qs = append(n.qs, q)
			o.qs = n.qs
			n.slotOf[q.ID] = slot
			n.order = o.insert(n.order, slot)
		}
		newKeys := keys(q)
		for _, k := range oldKeys {
			if !slices.Contains(newKeys, k) {
				n.unpost(o, k, slot)
			}
		}
		for _, k := range newKeys {
			if !slices.Contains(oldKeys, k) {
				n.postKey(o, k, slot)
			}
		}
	}
	return n
}

func (n *Snapshot) postKey(o byID, k string, slot int32) {
	list, had := n.post[k]
	n.post[k] = o.insert(list, slot)
	if w, ok := strings.CutPrefix(k, "word:"); ok && !had {
		i, _ := slices.BinarySearch(n.vocab, w)
		n.vocab = slices.Insert(slices.Clone(n.vocab), i, w)
	}
}

func (n *Snapshot) unpost(o byID, k string, slot int32) {
	list := o.remove(n.post[k], slot)
	if len(list) > 0 {
		n.post[k] = list
		return
	}
	delete(n.post, k)
	if w, ok := strings.CutPrefix(k, "word:"); ok {
		if i, found := slices.BinarySearch(n.vocab, w); found {
			n.vocab = slices.Delete(slices.Clone(n.vocab), i, i+1)
		}
	}
}

func sortedTemplates(ts []qbank.Template) []qbank.Template {
	out := slices.Clone(ts)
	slices.SortFunc(out, func(a, b qbank.Template) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func mergeTemplates(cur, changed []qbank.Template, deleted []string) []qbank.Template {
	byID := make(map[string]qbank.Template, len(cur)+len(changed))
	for _, t := range cur {
		byID[t.ID] = t
	}
	for _, t := range changed {
		byID[t.ID] = t
	}
	for _, id := range deleted {
		delete(byID, id)
	}
	return sortedTemplates(slices.Collect(maps.Values(byID)))
}

// Len is the number of questions, in every state.
func (s *Snapshot) Len() int { return len(s.qs) }

// Question returns the current version of a question.
func (s *Snapshot) Question(id string) (qbank.Question, bool) {
	slot, ok := s.slotOf[id]
	if !ok {
		return qbank.Question{}, false
	}
	return *s.qs[slot], true
}

// Each calls fn with every question in id order until fn returns false.
// The question is shared with other readers: fn must not modify it.
func (s *Snapshot) Each(fn func(*qbank.Question) bool) {
	for _, slot := range s.order {
		if !fn(s.qs[slot]) {
			return
		}
	}
}

// activeForRole is ActiveForRole's result, by role.
var activeForRole = NewMemo[string, []qbank.Question]()

// ActiveForRole returns the role's active questions, for assembly. The
// slice is kept for the life of the snapshot; callers must not modify it.
func (s *Snapshot) ActiveForRole(role string) []qbank.Question {
	return activeForRole.Get(s, role, func() []qbank.Question {
		slots := byID{qs: s.qs}.intersect([][]int32{s.post["state:active"], s.post["role:"+role]})
		out := make([]qbank.Question, len(slots))
		for i, slot := range slots {
			out[i] = *s.qs[slot]
		}
		return out
	})
}

// Template returns a template by id.
func (s *Snapshot) Template(id string) (qbank.Template, bool) {
	i, ok := slices.BinarySearchFunc(s.Templates, id, func(t qbank.Template, id string) int { return strings.Compare(t.ID, id) })
	if !ok {
		return qbank.Template{}, false
	}
	return s.Templates[i], true
}
