package errtext

import "unicode/utf8"

// endsGap joins the beginning and the end of a text KeepEnds cuts.
const endsGap = " … "

// KeepEnds returns s cut to at most n bytes when longer: its first third
// and its end, joined by " … ", never inside a character. An error's text
// names what failed first and its cause last, and what lies in between (an
// endpoint's answer, a sender's long id) must not push the cause out.
func KeepEnds(s string, n int) string {
	if len(s) <= n {
		return s
	}
	head := n / 3
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	tail := len(s) - max(0, n-head-len(endsGap))
	for tail < len(s) && !utf8.RuneStart(s[tail]) {
		tail++
	}
	return s[:head] + endsGap + s[tail:]
}
