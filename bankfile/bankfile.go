// Package bankfile is the export file format: the JSON form of an
// ImportQuestionsRequest ({"source": header, "questions": [...]}), or the
// same in YAML. An export can therefore be posted to /v1/questions:import
// as is. Writers stream one question at a time, so memory stays bounded
// however large the bank is; output is deterministic for the same bank.
package bankfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"

	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// Format is a file format.
type Format string

// The formats.
const (
	JSON Format = "json"
	YAML Format = "yaml"
)

// Writer writes an export file: Header once, then Question per question,
// then Close.
type Writer interface {
	Header(h *pb.ExportHeader) error
	Question(q *pb.Question) error
	Close() error
}

// NewWriter returns a streaming writer for the format.
func NewWriter(w io.Writer, f Format) (Writer, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch f {
	case JSON:
		return &jsonWriter{w: bw}, nil
	case YAML:
		return &yamlWriter{w: bw}, nil
	}
	return nil, fmt.Errorf("unknown export format %q (json or yaml)", f)
}

// canonicalJSON marshals m with protojson and re-indents it with
// encoding/json, because protojson deliberately varies its whitespace and
// an export should be byte-stable.
func canonicalJSON(m proto.Message, prefix string) ([]byte, error) {
	raw, err := protojson.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, prefix, "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

type jsonWriter struct {
	w      *bufio.Writer
	wrote  int
	header bool
}

func (j *jsonWriter) Header(h *pb.ExportHeader) error {
	raw, err := canonicalJSON(h, "  ")
	if err != nil {
		return fmt.Errorf("export header: %w", err)
	}
	j.header = true
	_, err = fmt.Fprintf(j.w, "{\n  \"source\": %s,\n  \"questions\": [", raw)
	return err
}

func (j *jsonWriter) Question(q *pb.Question) error {
	raw, err := canonicalJSON(q, "    ")
	if err != nil {
		return fmt.Errorf("export question %s: %w", q.GetId(), err)
	}
	sep := ",\n    "
	if j.wrote == 0 {
		sep = "\n    "
	}
	j.wrote++
	if _, err := j.w.WriteString(sep); err != nil {
		return err
	}
	_, err = j.w.Write(raw)
	return err
}

func (j *jsonWriter) Close() error {
	if !j.header {
		return fmt.Errorf("export: no header written")
	}
	end := "\n  ]\n}\n"
	if j.wrote == 0 {
		end = "]\n}\n"
	}
	if _, err := j.w.WriteString(end); err != nil {
		return err
	}
	return j.w.Flush()
}

type yamlWriter struct {
	w      *bufio.Writer
	header bool
}

func toYAML(m proto.Message) ([]byte, error) {
	raw, err := protojson.Marshal(m)
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(raw)
}

func (y *yamlWriter) Header(h *pb.ExportHeader) error {
	raw, err := toYAML(h)
	if err != nil {
		return fmt.Errorf("export header: %w", err)
	}
	y.header = true
	if _, err := y.w.WriteString("source:\n" + indent(string(raw), "  ", "  ")); err != nil {
		return err
	}
	_, err = y.w.WriteString("questions:\n")
	return err
}

func (y *yamlWriter) Question(q *pb.Question) error {
	raw, err := toYAML(q)
	if err != nil {
		return fmt.Errorf("export question %s: %w", q.GetId(), err)
	}
	_, err = y.w.WriteString(indent(string(raw), "- ", "  "))
	return err
}

func (y *yamlWriter) Close() error {
	if !y.header {
		return fmt.Errorf("export: no header written")
	}
	return y.w.Flush()
}

// indent prefixes the first line with first and the others with rest.
func indent(s, first, rest string) string {
	lines := strings.SplitAfter(strings.TrimRight(s, "\n"), "\n")
	var b strings.Builder
	for i, l := range lines {
		if i == 0 {
			b.WriteString(first)
		} else {
			b.WriteString(rest)
		}
		b.WriteString(l)
	}
	b.WriteString("\n")
	return b.String()
}

// MaxFileBytes bounds what Read accepts.
const MaxFileBytes = 64 << 20

// Read parses an export file in JSON or YAML (told apart by content) into an
// import request. Unknown fields are errors, so a typo is not silently lost.
func Read(r io.Reader) (*pb.ImportQuestionsRequest, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read import file: %w", err)
	}
	if len(raw) > MaxFileBytes {
		return nil, fmt.Errorf("import file is larger than %d MiB", MaxFileBytes>>20)
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] != '{' {
		if raw, err = yaml.YAMLToJSON(raw); err != nil {
			return nil, fmt.Errorf("parse YAML: %w", err)
		}
	}
	req := &pb.ImportQuestionsRequest{}
	if err := protojson.Unmarshal(raw, req); err != nil {
		return nil, fmt.Errorf("parse import file: %w", err)
	}
	return req, nil
}
