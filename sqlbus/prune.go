package sqlbus

import (
	"context"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Prune deletes the rows of destination's table that every consumer group
// of it has acknowledged, a thousand per statement, and returns how many it
// deleted (only cfg.DB and cfg.Dialect are used). It keeps the row at the
// slowest group's position, and the dead letters. Subscriptions prune their
// destinations on their own every Config.PruneInterval; Prune is for
// destinations pruned by hand. A destination no service ever subscribed to
// has no consumer group: nothing of it is deleted.
func Prune(ctx context.Context, cfg Config, destination string) (int64, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	n, err := sqldb.PruneConsumed(ctx, cfg.DB, cfg.Dialect, Topic(destination))
	if err != nil {
		return n, fmt.Errorf("sqlbus: prune %q: %w", destination, err)
	}
	return n, nil
}

// pruningSubscriber is watermill-sql's subscriber of one topic in one
// consumer group that, once subscribed, prunes the topic every
// cfg.PruneInterval until it is closed.
type pruningSubscriber struct {
	message.Subscriber
	cfg      Config
	check    *plaintextCheck // run before the first subscription
	zoneless *zonelessCheck  // run after each subscription started
	ctx      context.Context // ends at Close, and with it the prunes
	cancel   context.CancelFunc

	mu      sync.Mutex
	closed  bool
	pruning sync.WaitGroup
}

func newPruningSubscriber(sub message.Subscriber, cfg Config, check *plaintextCheck, zoneless *zonelessCheck) *pruningSubscriber {
	ctx, cancel := context.WithCancel(context.Background())
	return &pruningSubscriber{Subscriber: sub, cfg: cfg, check: check, zoneless: zoneless, ctx: ctx, cancel: cancel}
}

// Subscribe runs the transport's plaintext check (the first time), then
// subscribes to topic and, when that succeeds, has the zoneless check look
// up its tables and starts pruning it.
func (s *pruningSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.check.run(ctx)
	ch, err := s.Subscriber.Subscribe(ctx, topic)
	if err != nil {
		return ch, err
	}
	s.zoneless.subscribed(ctx, topic)
	if s.cfg.PruneInterval <= 0 {
		return ch, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.pruning.Go(func() {
			sqldb.PruneEvery(s.ctx, s.cfg.PruneInterval, s.cfg.DB, s.cfg.Dialect, topic, s.cfg.Logger, "sqlbus")
		})
	}
	return ch, nil
}

// Close stops the pruning, waiting for a prune in progress to end, then
// closes the subscriber.
func (s *pruningSubscriber) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.pruning.Wait()
	return s.Subscriber.Close()
}
