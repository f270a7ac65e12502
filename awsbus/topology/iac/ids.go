package iac

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
)

// words splits an AWS name into its alphanumeric runs: "order-events.fifo"
// is order, events, fifo.
func words(name string) []string {
	return strings.FieldsFunc(name, func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r))
	})
}

// camel is a CloudFormation logical id: prefix, then the words of name
// each capitalised ("Queue", "orders.fifo" → "QueueOrdersFifo").
func camel(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, w := range words(name) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// snake is a Terraform resource name: the words of name, lower case,
// joined by underscores, with a leading underscore when it would start
// with a digit ("orders.fifo" → "orders_fifo").
func snake(name string) string {
	s := strings.ToLower(strings.Join(words(name), "_"))
	if s == "" || unicode.IsDigit(rune(s[0])) {
		s = "_" + s
	}
	return s
}

// unique makes the ids of keys unique: every key whose id is shared gets
// the hash of the key appended, so two names that differ only in
// punctuation ("a-b", "a.b") still get two resources.
func unique(keys []string, id func(string) string) map[string]string {
	count := map[string]int{}
	for _, k := range keys {
		count[id(k)]++
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		out[k] = id(k)
		if count[out[k]] > 1 {
			h := fnv.New32a()
			h.Write([]byte(k))
			out[k] += fmt.Sprintf("%08x", h.Sum32())
		}
	}
	return out
}
