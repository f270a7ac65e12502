package sourceflow

import (
	"strconv"
	"time"
)

// CountRedrive records one more redrive on the metadata md of a message a
// redrive moves back from a dead-letter store: MetaRedrives one higher
// (from 0 when absent or not a count) and MetaRedrivenAt at. Neither key
// is authenticated by message encryption, so a redrive may change them on
// an encrypted message.
func CountRedrive(md map[string]string, at time.Time) {
	md[MetaRedrives] = strconv.Itoa(Redrives(md) + 1)
	md[MetaRedrivenAt] = at.UTC().Format(time.RFC3339Nano)
}

// Redrives is how many times the message of metadata md was redriven
// (MetaRedrives): 0 when absent or not a count.
func Redrives(md map[string]string) int {
	n, err := strconv.Atoi(md[MetaRedrives])
	if err != nil || n < 0 {
		return 0
	}
	return n
}
