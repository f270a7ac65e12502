package iac

// joinWord is the word ids put between the parts of a multi-part name:
// "To" in CloudFormation logical ids, "_to_" in Terraform names.
const joinWord = "to"

// oneReading reports whether the words of canonical parts, joined by
// joinWord, can be split back into len(parts) canonical names only one way,
// so that the id made of them names these parts alone. A part holding the
// word "to" can make another reading: events-to-orders and billing read as
// events and orders-to-billing. Any run of words is a canonical name (a
// last word fifo reads as the ".fifo" suffix), so a reading is a choice of
// len(parts)-1 of the words "to", neither first nor last nor side by side.
func oneReading(parts []string) bool {
	var all []string
	for i, p := range parts {
		if i > 0 {
			all = append(all, joinWord)
		}
		all = append(all, words(p)...)
	}
	return readings(all, len(parts)) == 1
}

// readings counts the ways of splitting ws into n non-empty runs at words
// joinWord, each cut word dropped, stopping at 2.
func readings(ws []string, n int) int {
	if n == 1 {
		return min(1, len(ws))
	}
	count := 0
	for i := 1; i < len(ws)-1 && count < 2; i++ {
		if ws[i] == joinWord {
			count += readings(ws[i+1:], n-1)
		}
	}
	return min(count, 2)
}
