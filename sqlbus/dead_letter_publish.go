package sqlbus

import (
	"errors"
	"fmt"
	"maps"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// serverCopier writes a dead letter from its message's row on the server
// (mysqlPublisher).
type serverCopier interface {
	copyOnServer(topic string, m *message.Message) error
}

// publishDeadLetters publishes msgs, dead letters, to topic, each marked
// as badRowReason says and cut to limit (fitDeadLetter). When they fit,
// as they do unless the server's max_allowed_packet was lowered since
// their messages were stored, they are published in one call, as any
// message: the limit read once (sqldb.PacketLimit) decides, with no
// statement of its own. One that does not fit is copied on the server from
// its message's row instead (serverCopier), its reasons cut to what the
// copy's statement can send (fitCopy), and logged saying so. A failed
// publish reads the limit again, as a lowered limit makes the server reset
// the connection rather than refuse the statement, and when a dead letter
// no longer fits, publishes them again that way.
func (p checkedPublisher) publishDeadLetters(topic string, msgs []*message.Message, limit int) error {
	for _, m := range msgs {
		badRowReason(m)
		fitOrKeep(m, limit)
	}
	if oversize(msgs, limit) {
		return p.publishEach(topic, msgs, limit)
	}
	err := p.Publisher.Publish(topic, msgs...)
	if err == nil || p.limit == nil {
		return err
	}
	p.limit.Forget()
	fresh, readErr := p.maxBytes(msgs)
	if readErr != nil || fresh <= 0 || fresh >= limit {
		return err
	}
	for _, m := range msgs {
		fitOrKeep(m, fresh)
	}
	if !oversize(msgs, fresh) {
		return err
	}
	if again := p.publishEach(topic, msgs, fresh); again != nil {
		return errors.Join(err, again)
	}
	return nil
}

// fitOrKeep cuts m to limit (fitDeadLetter) when that makes it fit, and
// otherwise leaves it whole: copied on the server, it keeps the reasons
// that fit the copy (fitCopy).
func fitOrKeep(m *message.Message, limit int) {
	whole := maps.Clone(m.Metadata)
	fitDeadLetter(m, limit)
	if fits(m, limit) != nil {
		m.Metadata = whole
	}
}

// oversize reports whether a message of msgs does not fit in limit.
func oversize(msgs []*message.Message, limit int) bool {
	for _, m := range msgs {
		if fits(m, limit) != nil {
			return true
		}
	}
	return false
}

// publishEach publishes msgs to topic one at a time, in order, copying on
// the server those that do not fit in limit.
func (p checkedPublisher) publishEach(topic string, msgs []*message.Message, limit int) error {
	copier, ok := p.Publisher.(serverCopier)
	for _, m := range msgs {
		tooLarge := fits(m, limit)
		switch {
		case tooLarge == nil:
			if err := p.Publisher.Publish(topic, m); err != nil {
				return err
			}
		case !ok:
			return fmt.Errorf("sqlbus: dead letter %s: %w", sqldb.Shorten(m.UUID), tooLarge)
		default:
			fitCopy(m, limit)
			if err := copier.copyOnServer(topic, m); err != nil {
				return fmt.Errorf("sqlbus: dead letter %s does not fit in max_allowed_packet (%w), and copying it on the server failed: %w",
					sqldb.Shorten(m.UUID), tooLarge, err)
			}
			p.logCopied(topic, m, limit)
		}
	}
	return nil
}

// logCopied logs that dead letter m was copied on the server into topic.
func (p checkedPublisher) logCopied(topic string, m *message.Message, limit int) {
	if p.logger == nil {
		return
	}
	p.logger.Info("sqlbus: dead letter larger than the server's max_allowed_packet (its message was stored under a larger one); "+
		"copied on the server from its message's row", watermill.LogFields{
		"dead_letter_topic": topic, "message_uuid": sqldb.Shorten(m.UUID),
		"row_bytes": rowBytes(m), "max_allowed_packet": limit,
	})
}
