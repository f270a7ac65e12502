package cli

import "fmt"

// counted is n followed by the noun (or the phrase) that agrees with it:
// one when n is 1, many otherwise ("1 message", "2 messages", "0 messages").
func counted[N ~int | ~int64](n N, one, many string) string {
	return fmt.Sprintf("%d %s", n, agree(n, one, many))
}

// agree is the word (or the phrase) that agrees with a count of n: one when
// n is 1, many otherwise ("it"/"them", "was"/"were").
func agree[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
