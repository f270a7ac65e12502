package topology

import (
	"fmt"
	"unicode/utf8"

	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// maxServiceNameLength bounds a topology file's service name, in
// characters: what sqlbus's consumer_group column holds (VARCHAR(255)), the
// longest store of a service's name; AWS names derived from it (the event
// queues, at most MaxQueueNameLength) are checked as such by New.
const maxServiceNameLength = 255

// checkServiceName refuses a service name that is no line of text to
// print (fieldcheck.ServiceName: an escape sequence or a line break
// would let the file rewrite the terminal or forge a line of plan's
// output), starts or ends with white space, or is longer than maxServiceNameLength characters. The error
// quotes nothing of the name but an escaped character.
func checkServiceName(name string) error {
	if err := fieldcheck.ServiceName(name); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(name); n > maxServiceNameLength {
		return fmt.Errorf("is %d characters, at most %d allowed", n, maxServiceNameLength)
	}
	return nil
}
