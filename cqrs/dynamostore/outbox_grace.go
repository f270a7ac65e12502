package dynamostore

import (
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// errNoPublisher marks a destination the inner transport has no publisher
// for.
var errNoPublisher = errors.New("no publisher for destination")

// publishFailure returns the reason to keep a message for destination as a
// dead letter with after sendErr, its publish's failure, or nil when the
// failure is transient (the message is released and tried again). A
// failure the inner transport marks sourceflow.Permanent is a dead letter
// at once; a destination it has no publisher for is one once it has had
// none on this instance for destgrace.Grace.
func (o *Outbox) publishFailure(destination string, sendErr error) error {
	switch {
	case sourceflow.IsPermanent(sendErr):
		return sendErr
	case !errors.Is(sendErr, errNoPublisher):
		return nil
	}
	failing, over := o.grace.Failed(destination)
	if !over {
		return nil
	}
	return fmt.Errorf("%w; none for %v on this instance, past the grace for a rolling deploy", sendErr, failing)
}
