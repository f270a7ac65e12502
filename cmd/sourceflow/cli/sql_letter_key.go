package cli

import "unicode/utf8"

// maxGroupKey bounds, in bytes, the type and the reason sql dead-letters
// --summary and purge's dry run count dead letters by: a reason echoing a
// handler's input can be megabytes long (sqlbus does not cut it on
// PostgreSQL), and up to maxScannedLetters of them are kept as map keys.
const maxGroupKey = 1 << 10

// cutMark ends a type or a reason groupKey cut.
const cutMark = "…"

// groupKey is s as a tally keeps it: its first maxGroupKey bytes, cut at
// the start of a character, then "…", when it is longer (a new string,
// holding no reference to s); s itself otherwise.
func groupKey(s string) string {
	if len(s) <= maxGroupKey {
		return s
	}
	end := maxGroupKey
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + cutMark
}
