package topology

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeOne decodes data, which must hold one YAML document, strictly into
// a File; its errors name fields and lines in the file's words.
func decodeOne(data []byte, lines fileLines) (File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return File{}, errors.New(yamlMessage(err, lines))
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return f, nil
	case err != nil:
		return File{}, errors.New(yamlMessage(err, lines))
	}
	return File{}, fmt.Errorf("line %d: a second YAML document; a topology file holds one (remove the \"---\" and "+
		"what follows, or merge it into the first)", next.Line)
}

var (
	// unknownField matches the YAML library's message for an unknown field.
	unknownField = regexp.MustCompile(`field (\S+) not found in type \S+`)
	// typeMismatch matches its message for a value of the wrong type.
	typeMismatch = regexp.MustCompile("line (\\d+): cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)")
)

// yamlMessage returns the decoder's message in the file's words: each
// problem on its line, "unknown field x" instead of a Go type name, and a
// value of the wrong type as "field (line n): ... is not a duration".
func yamlMessage(err error, lines fileLines) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	msg = unknownField.ReplaceAllString(msg, "unknown field $1")
	msg = typeMismatch.ReplaceAllStringFunc(msg, func(m string) string {
		g := typeMismatch.FindStringSubmatch(m)
		line, _ := strconv.Atoi(g[1])
		what := yamlKinds[g[2]]
		if g[3] != "" && !strings.HasSuffix(g[3], "...") {
			what = fmt.Sprintf("%q", g[3])
		}
		return fmt.Sprintf("%s: %s is not %s", lines.fieldAt(line, "!!"+g[2]), firstNonEmpty(what, "the value"), wantOf(g[4]))
	})
	return strings.TrimPrefix(strings.ReplaceAll(msg, "\n  ", "\n"), "  ")
}

// yamlKinds names the values of YAML tags, for values the decoder's
// message does not quote in full.
var yamlKinds = map[string]string{"seq": "a list", "map": "a mapping", "null": "an empty value",
	"str": "a text", "int": "a number", "float": "a number", "bool": "a boolean"}

// wantOf says in the file's words what a field of Go type typ holds.
func wantOf(typ string) string {
	typ = strings.TrimPrefix(typ, "*")
	switch {
	case strings.HasSuffix(typ, "Duration"):
		return "a duration (e.g. 30s)"
	case strings.HasPrefix(typ, "int") || strings.HasPrefix(typ, "uint"):
		return "a whole number"
	case typ == "bool":
		return "true or false"
	case typ == "string":
		return "a text"
	case strings.HasPrefix(typ, "[]"):
		return "a list"
	}
	return "a mapping"
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
