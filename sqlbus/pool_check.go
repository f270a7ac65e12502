package sqlbus

import (
	"database/sql"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// poolCheck counts a transport's open subscriptions and refuses one the
// pool of its database cannot serve: each subscription holds a connection
// for as long as its poll runs, handlers included, and a handler needs
// one more, for the replies and events it publishes and for the SQL
// stores when they share the pool. A pool capped below that wedges: every
// handler waits for a connection its own poll holds.
type poolCheck struct {
	db *sql.DB

	mu   sync.Mutex
	subs int
}

// open counts one more subscription of topic in group, or refuses it when
// db.SetMaxOpenConns caps the pool below the subscriptions plus one.
func (p *poolCheck) open(topic, group string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	limit, need := p.db.Stats().MaxOpenConnections, p.subs+2
	if limit > 0 && limit < need {
		return fmt.Errorf("%w: Config.DB allows %d open connections (MaxOpenConns), and subscribing service %q to %q "+
			"needs at least %d: one per subscription of the transport (%d with this one), which each hold theirs while "+
			"their handlers run, plus one for what the handlers publish and store; raise it with DB.SetMaxOpenConns",
			ErrInvalidConfig, limit, group, topic, need, p.subs+1)
	}
	p.subs++
	return nil
}

// closed counts one subscription less.
func (p *poolCheck) closed() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.subs--
}

// countedSubscriber is a subscriber counted by a poolCheck until it is
// closed.
type countedSubscriber struct {
	message.Subscriber
	release func()
}

// Close closes the subscriber and counts it out, once.
func (s countedSubscriber) Close() error {
	defer s.release()
	return s.Subscriber.Close()
}

// counted wraps sub, counted by p until its first Close.
func (p *poolCheck) counted(sub message.Subscriber) message.Subscriber {
	return countedSubscriber{Subscriber: sub, release: sync.OnceFunc(p.closed)}
}
