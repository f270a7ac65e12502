package sqlbus

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill"
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
// its reason, which is recorded whatever its text; the reason of a row
// whose metadata could not be read says so (see badRowReason). On MySQL a dead letter
// whose markers would take its row past max_allowed_packet loses where its
// handler failed, then has its reasons cut (see fitDeadLetter); one that
// still does not fit, its message stored under a larger limit, is copied
// on the server from its message's row, its reasons cut to what the copy
// can send (see publishDeadLetters).
//
// On MySQL it also refuses a message whose row does not fit in the server's
// max_allowed_packet (see sqldb.PacketLimit): the server would refuse it on
// every try, at times with nothing but "driver: bad connection". Messages
// whose rows fit one by one but not together are inserted in as many
// statements as the limit takes, in one transaction (see runPublisher).
type checkedPublisher struct {
	message.Publisher
	db     *sql.DB            // where limit is read
	limit  *sqldb.PacketLimit // nil: no limit to check
	logger watermill.LoggerAdapter
}

// Publish publishes the messages of msgs that can be stored, in order, and
// returns ErrInvalidMessage, permanent, naming those that cannot.
func (p checkedPublisher) Publish(topic string, msgs ...*message.Message) error {
	limit, err := p.maxBytes(msgs)
	if err != nil {
		return fmt.Errorf("sqlbus: publish to %q: %w", topic, err)
	}
	if strings.HasSuffix(topic, deadLetterSuffix) {
		return p.publishDeadLetters(topic, msgs, limit)
	}
	var refused []error
	valid := make([]*message.Message, 0, len(msgs))
	for _, m := range msgs {
		if err := errors.Join(storable(m), fits(m, limit)); err != nil {
			refused = append(refused, fmt.Errorf("message %s: %w", sqldb.Shorten(m.UUID), err))
			continue
		}
		valid = append(valid, m)
	}
	if len(valid) > 0 || len(refused) == 0 {
		if err := p.publish(topic, valid, limit); err != nil {
			return err // nothing was stored: the whole call may be tried again
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return sourceflow.Permanent(fmt.Errorf("%w: not published to %q: %w", ErrInvalidMessage, topic, errors.Join(refused...)))
}

// runPublisher is a publisher that inserts runs of messages, one statement
// per run, all of them or none.
type runPublisher interface {
	publishRuns(topic string, runs [][]*message.Message) error
}

// publish publishes msgs in one call, split, when the inner publisher
// takes runs, into runs whose rows fit together in a statement of at most
// limit bytes (0: no limit).
func (p checkedPublisher) publish(topic string, msgs []*message.Message, limit int) error {
	rp, ok := p.Publisher.(runPublisher)
	if !ok || limit <= 0 {
		return p.Publisher.Publish(topic, msgs...)
	}
	return rp.publishRuns(topic, sqldb.SplitRows(msgs, rowBytes, limit))
}

// maxBytes returns the largest statement the database accepts, 0 when it
// sets no limit the publisher checks.
func (p checkedPublisher) maxBytes(msgs []*message.Message) (int, error) {
	if p.limit == nil || len(msgs) == 0 {
		return 0, nil
	}
	return p.limit.Bytes(msgs[0].Context(), p.db)
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
