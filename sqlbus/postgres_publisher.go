package sqlbus

import (
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
)

// postgresPublisher is watermill-sql's PostgreSQL publisher, whose topic
// tables are created on the publish's context (see tables) rather than on
// watermill-sql's own 60-second one.
type postgresPublisher struct {
	pub    *wsql.Publisher
	tables *tables
}

// Publish creates topic's table on the first publish to it, then inserts
// msgs, both on the context of the first message.
func (p *postgresPublisher) Publish(topic string, msgs ...*message.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if !watermillTopic(topic) {
		return fmt.Errorf("sqlbus: %q: %w", topic, wsql.ErrInvalidTopicName)
	}
	if err := p.tables.create(msgs[0].Context(), topic); err != nil {
		return fmt.Errorf("sqlbus: %w", err)
	}
	if err := p.pub.Publish(topic, msgs...); err != nil {
		return fmt.Errorf("sqlbus: publish to %q: %w", topic, err)
	}
	return nil
}

// Close ends the creations of tables under way and the publishes waiting
// for them, then closes watermill-sql's publisher.
func (p *postgresPublisher) Close() error {
	p.tables.close()
	return p.pub.Close()
}
