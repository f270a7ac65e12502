package dynamostore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// unknownDestinationGrace is how long the sweep retries a message whose
// destination the inner transport has no publisher for, counted from the
// time its transaction wrote it. The instance that wrote it knew the
// destination, so one that does not runs another version: during a
// rolling deploy that adds a route, an instance of the older version
// releases the message (ending its shard's sweep, as a transient failure
// does), and an instance that knows the destination relays it. The grace
// is long enough for a rolling deploy; after it, the message is kept as a
// dead letter with the reason (DeadLetters, Redrive), so that a
// destination no running version knows any more (a removed route, a
// rollback past the version that added it) holds its shard for at most
// that long.
const unknownDestinationGrace = 15 * time.Minute

// errNoPublisher marks a destination the inner transport has no publisher
// for.
var errNoPublisher = errors.New("no publisher for destination")

// publishFailure returns the reason to keep it as a dead letter with after
// sendErr, its publish's failure, or nil when the failure is transient (it
// is released and tried again). A failure the inner transport marks
// sourceflow.Permanent is a dead letter at once; a destination it has no
// publisher for is one once it is older than unknownDestinationGrace at
// now.
func publishFailure(it outboxItem, sendErr error, now time.Time) error {
	switch {
	case sourceflow.IsPermanent(sendErr):
		return sendErr
	case !errors.Is(sendErr, errNoPublisher):
		return nil
	}
	written, ok := it.written()
	if ok && now.Sub(written) < unknownDestinationGrace {
		return nil
	}
	return fmt.Errorf("%w; still unknown after the %s grace for a rolling deploy (message written at %s)",
		sendErr, unknownDestinationGrace, writtenText(written, ok))
}

// written returns the time its transaction wrote it, the start of its sort
// key (digits of its Unix time in nanoseconds), and whether the sort key
// holds one.
func (it outboxItem) written() (time.Time, bool) {
	prefix, _, found := strings.Cut(it.SK, "#")
	if !found {
		return time.Time{}, false
	}
	ns, err := strconv.ParseInt(prefix, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}

// writtenText renders the written time of a message for a dead letter's
// reason.
func writtenText(written time.Time, ok bool) string {
	if !ok {
		return "unknown"
	}
	return written.UTC().Format(time.RFC3339)
}
