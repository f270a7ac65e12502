package topology

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fieldPath is the path of a field in a topology file: mapping keys
// (strings) and sequence indexes (ints), e.g. destinations[2].listen.
type fieldPath []any

// String formats the path as "destinations[2].listen.handles".
func (p fieldPath) String() string {
	var b strings.Builder
	for _, e := range p {
		switch v := e.(type) {
		case int:
			b.WriteString("[" + strconv.Itoa(v) + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// fileLines finds the lines of fields in a parsed topology file.
type fileLines struct{ doc *yaml.Node }

// line returns the line of the deepest node of p present in the file: a
// missing field is reported at its parent. 0 when the file is empty.
func (l fileLines) line(p fieldPath) int {
	n := l.doc
	if n == nil {
		return 0
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, e := range p {
		next, at := child(n, e)
		if next == nil {
			break
		}
		n, line = next, at
	}
	return line
}

// child returns the node of key or index e in n, and its line (the key's
// line for a mapping entry).
func child(n *yaml.Node, e any) (*yaml.Node, int) {
	switch v := e.(type) {
	case int:
		if n.Kind == yaml.SequenceNode && v < len(n.Content) {
			return n.Content[v], n.Content[v].Line
		}
	case string:
		if n.Kind != yaml.MappingNode {
			return nil, 0
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == v {
				return n.Content[i+1], n.Content[i].Line
			}
		}
	}
	return nil, 0
}

// at names field p with its line: "destinations[2].kind (line 14)".
func (l fileLines) at(p fieldPath) string {
	if line := l.line(p); line > 0 {
		return fmt.Sprintf("%s (line %d)", p, line)
	}
	return p.String()
}

// errorf returns an error naming field p and its line.
func (l fileLines) errorf(p fieldPath, format string, args ...any) error {
	return fmt.Errorf("%s: "+format, append([]any{l.at(p)}, args...)...)
}

// present reports whether every key and index of p is in the file.
func (l fileLines) present(p fieldPath) bool {
	n := l.doc
	if n == nil || len(n.Content) == 0 {
		return false
	}
	n = n.Content[0]
	for _, e := range p {
		if n, _ = child(n, e); n == nil {
			return false
		}
	}
	return true
}

// fieldAt names the field whose value of YAML tag (e.g. "!!str") starts on
// line: "queues.wait_time (line 3)", or "line 3" when no field's value
// does.
func (l fileLines) fieldAt(line int, tag string) string {
	if l.doc == nil || len(l.doc.Content) == 0 {
		return fmt.Sprintf("line %d", line)
	}
	if p, ok := pathTo(l.doc.Content[0], line, tag, nil); ok {
		return l.at(p)
	}
	return fmt.Sprintf("line %d", line)
}

// pathTo returns the path of the deepest value of tag under n that starts
// on line.
func pathTo(n *yaml.Node, line int, tag string, p fieldPath) (fieldPath, bool) {
	var kids []fieldPath
	var nodes []*yaml.Node
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			kids, nodes = append(kids, append(slices.Clone(p), n.Content[i].Value)), append(nodes, n.Content[i+1])
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			kids, nodes = append(kids, append(slices.Clone(p), i)), append(nodes, c)
		}
	}
	for i, c := range nodes {
		if deeper, ok := pathTo(c, line, tag, kids[i]); ok {
			return deeper, true
		}
		if c.Line == line && c.ShortTag() == tag {
			return kids[i], true
		}
	}
	return nil, false
}
