package sqlbus

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// maxUUIDLength is how many characters the uuid column (VARCHAR(36)) of a
// topic's table holds.
const maxUUIDLength = 36

// checkedPublisher refuses the messages a topic's table cannot hold
// unchanged on both databases before they reach the database: an id longer
// than the uuid column or not valid UTF-8 (PostgreSQL and MySQL refuse the
// row), an id holding a NUL byte (PostgreSQL refuses it), and metadata that
// is not valid UTF-8 (which would be stored with U+FFFD in place of each
// invalid byte). Retrying cannot store such a message, so the error is
// permanent (sourceflow.Permanent) and names each refused message and why;
// a forwarder in front (package outbox) then dead-letters it instead of
// retrying it for ever. The other messages of the call are published.
//
// Dead letters pass unchecked: each is a message already stored once, with
// its reason, which is recorded whatever its text.
type checkedPublisher struct {
	message.Publisher
}

// Publish publishes the messages of msgs that can be stored, in order, and
// returns ErrInvalidMessage, permanent, naming those that cannot.
func (p checkedPublisher) Publish(topic string, msgs ...*message.Message) error {
	if strings.HasSuffix(topic, deadLetterSuffix) {
		return p.Publisher.Publish(topic, msgs...)
	}
	var refused []error
	valid := make([]*message.Message, 0, len(msgs))
	for _, m := range msgs {
		if err := storable(m); err != nil {
			refused = append(refused, fmt.Errorf("message %s: %w", sqldb.Shorten(m.UUID), err))
			continue
		}
		valid = append(valid, m)
	}
	if len(refused) == 0 {
		return p.Publisher.Publish(topic, msgs...)
	}
	if len(valid) > 0 {
		if err := p.Publisher.Publish(topic, valid...); err != nil {
			return err // nothing was stored: the whole call may be tried again
		}
	}
	return sourceflow.Permanent(fmt.Errorf("%w: not published to %q: %w", ErrInvalidMessage, topic, errors.Join(refused...)))
}

// storable reports why m cannot be stored unchanged in a topic's table, or
// nil when it can.
func storable(m *message.Message) error {
	switch {
	case !utf8.ValidString(m.UUID):
		return errors.New("its id is not valid UTF-8")
	case strings.IndexByte(m.UUID, 0) >= 0:
		return errors.New("its id holds a NUL byte")
	case utf8.RuneCountInString(m.UUID) > maxUUIDLength:
		return fmt.Errorf("its id is %d characters long, longer than the %d the uuid column holds",
			utf8.RuneCountInString(m.UUID), maxUUIDLength)
	}
	return sqldb.CheckMetadataUTF8(m.Metadata)
}
