package awsbus

import (
	"encoding/json"
	"slices"
	"strings"
)

// The packed envelope (sourceflow.MetaEnvelope) is a flat JSON object of
// strings. Its keys and values are ids, sequence numbers and timestamps:
// printable ASCII that needs no escape. packEnvelope and unpackEnvelope
// write and read that common form by hand, once per message and without
// reflection, and hand anything else to encoding/json; both forms are the
// bytes and values encoding/json gives.

// maxEnvelopeHint bounds the map size plainEnvelope reserves ahead of the
// keys it reads, and is the room packEnvelope sorts the keys in without
// allocating: more than marshal ever packs (sourceflow.IsEnvelopeKey and
// the UUID).
const maxEnvelopeHint = 16

// packEnvelope returns env as json.Marshal encodes it: keys in order, each
// key and value quoted with json.Marshal's escapes.
func packEnvelope(env map[string]string) (string, error) {
	var keysBuf [maxEnvelopeHint]string
	keys := keysBuf[:0]
	n := 2
	for k, v := range env {
		if !plainJSON(k) || !plainJSON(v) {
			b, err := json.Marshal(env)
			return string(b), err
		}
		keys = append(keys, k)
		n += len(k) + len(v) + len(`"":"",`)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(k)
		b.WriteString(`":"`)
		b.WriteString(env[k])
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// plainJSON reports whether json.Marshal writes s between its quotes
// unchanged, checking for printable ASCII other than the characters it
// escapes ('"', '\\', '<', '>' and '&').
func plainJSON(s string) bool {
	for i := range len(s) {
		switch c := s[i]; {
		case c < 0x20, c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// unpackEnvelope decodes raw as json.Unmarshal decodes it into a
// map[string]string, returning json.Unmarshal's error for what is not such
// an object.
func unpackEnvelope(raw string) (map[string]string, error) {
	if env, ok := plainEnvelope(raw); ok {
		return env, nil
	}
	var env map[string]string
	err := json.Unmarshal([]byte(raw), &env)
	return env, err
}

// plainEnvelope decodes raw when it is an object in the form packEnvelope
// writes by hand: no white space, keys and values of printable ASCII without
// escapes. ok is false for anything else, which encoding/json decodes or
// refuses. The keys and values share raw's memory.
func plainEnvelope(raw string) (env map[string]string, ok bool) {
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return nil, false
	}
	body := raw[1 : len(raw)-1]
	// The commas bound the keys only in the plain form; a hostile value
	// full of them must not size the map, so the hint stops at the keys a
	// message packs.
	env = make(map[string]string, min(strings.Count(body, ","), maxEnvelopeHint)+1)
	for body != "" {
		k, rest, ok := plainString(body)
		if !ok || !strings.HasPrefix(rest, ":") {
			return nil, false
		}
		v, rest, ok := plainString(rest[1:])
		if !ok {
			return nil, false
		}
		env[k] = v
		if rest == "" {
			break
		}
		if rest[0] != ',' || len(rest) == 1 {
			return nil, false
		}
		body = rest[1:]
	}
	return env, true
}

// plainString reads the JSON string s starts with when it holds printable
// ASCII without escapes, returning its text and what follows it.
func plainString(s string) (text, rest string, ok bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[1:i], s[i+1:], true
		case c < 0x20, c >= 0x7f, c == '\\':
			return "", "", false
		}
	}
	return "", "", false
}
