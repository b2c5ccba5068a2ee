package server

import "github.com/layersrank/qbank"

// maxLogValue bounds each string of an access-log line (the error above
// all): one line per call, a few kilobytes at most, whatever was asked.
const maxLogValue = 2000

// boundFields cuts the long strings of a log line's fields.
func boundFields(fields []any) []any {
	for i, f := range fields {
		if str, ok := f.(string); ok && len(str) > maxLogValue {
			fields[i] = qbank.Truncate(str, maxLogValue)
		}
	}
	return fields
}
