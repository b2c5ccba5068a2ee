// Package seed holds LayersRank's curated bank as data files embedded in the
// binary (data/: the taxonomy, the questions, the default templates), loads
// and checks them, and applies them to a store idempotently.
package seed

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"sigs.k8s.io/yaml"

	"github.com/layersrank/qbank"
)

//go:embed data
var data embed.FS

// Bank is the seed content.
type Bank struct {
	Taxonomy  qbank.Taxonomy
	Questions []qbank.Question
	Templates []qbank.Template
}

// Load parses and checks the embedded seed files.
func Load() (*Bank, error) {
	sub, err := fs.Sub(data, "data")
	if err != nil {
		return nil, fmt.Errorf("seed data: %w", err)
	}
	return Parse(sub)
}

// Parse reads taxonomy.yaml, questions/*.yaml and templates.yaml from fsys
// and checks every question against the taxonomy. Unknown keys are errors, so
// a misspelt field in a data file fails loudly instead of vanishing.
func Parse(fsys fs.FS) (*Bank, error) {
	var b Bank
	if err := readYAML(fsys, "taxonomy.yaml", &b.Taxonomy); err != nil {
		return nil, err
	}
	if err := b.Taxonomy.Validate(); err != nil {
		return nil, fmt.Errorf("seed taxonomy.yaml: %w", err)
	}
	files, err := fs.Glob(fsys, "questions/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("seed questions: %w", err)
	}
	slices.Sort(files)
	seen := map[string]string{}
	var v qbank.Violations
	for _, f := range files {
		var qs []qbank.Question
		if err := readYAML(fsys, f, &qs); err != nil {
			return nil, err
		}
		for i, q := range qs {
			field := fmt.Sprintf("%s[%d]", path.Base(f), i)
			qbank.ValidateQuestionID(&v, field+".id", q.ID)
			if prev, dup := seen[q.ID]; dup {
				v.Add(field+".id", "duplicate id %q (also in %s)", q.ID, prev)
			}
			seen[q.ID] = field
			qbank.NormalizeContent(&q.Content, &b.Taxonomy)
			qbank.ValidateContent(&v, field+".", &q.Content, &b.Taxonomy)
			switch q.State {
			case "":
				q.State = qbank.StateActive
			case qbank.StateActive, qbank.StateDraft, qbank.StateRetired:
				// retired: a release retires a question by keeping it in the
				// files with this state, never by deleting it (Apply).
			default:
				v.Add(field+".state", "unknown state %q (active, draft or retired)", q.State)
			}
			qbank.ValidateChangeNote(&v, field+".changeNote", q.ChangeNote)
			if q.Version != 0 || q.Etag != "" || !q.CreateTime.IsZero() {
				v.Add(field, "seed questions carry no version, etag or times: the store assigns them")
			}
			b.Questions = append(b.Questions, q)
		}
	}
	if err := readYAML(fsys, "templates.yaml", &b.Templates); err != nil {
		return nil, err
	}
	for i := range b.Templates {
		t := &b.Templates[i]
		field := fmt.Sprintf("templates.yaml[%d]", i)
		qbank.ValidateQuestionID(&v, field+".id", t.ID) // template ids follow the same form
		if prev, dup := seen["template/"+t.ID]; dup {
			v.Add(field+".id", "duplicate template id %q (also at %s)", t.ID, prev)
		}
		seen["template/"+t.ID] = field
		qbank.NormalizeTemplate(t, &b.Taxonomy)
		qbank.ValidateTemplate(&v, field+".", t, &b.Taxonomy, func(id string) bool { _, ok := seen[id]; return ok })
	}
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("seed questions: %w", err)
	}
	slices.SortFunc(b.Questions, func(a, c qbank.Question) int {
		if a.ID < c.ID {
			return -1
		}
		if a.ID > c.ID {
			return 1
		}
		return 0
	})
	return &b, nil
}

func readYAML(fsys fs.FS, name string, into any) error {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("seed %s: %w", name, err)
	}
	if err := yaml.UnmarshalStrict(raw, into); err != nil {
		return fmt.Errorf("seed %s: %w", name, err)
	}
	return nil
}
