package cqrs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type closePay struct{}
type closePaid struct{}
type closeAccount struct{ Paid bool }
type closeCard struct{ Paid bool }

// An event a saga raises while its service closes, after the subscription
// of the event's destination already ended, is dead-lettered with its
// reason instead of being dropped by gochannel: the saga's state holds the
// change, so a dropped event would leave the view without it for good.
func TestChannelEventRaisedAfterItsSubscriptionsClosedIsDeadLettered(t *testing.T) {
	for _, c := range []struct {
		name, events string
		async        bool
	}{
		{"sync", "pay-events", false},
		{"async", "pay-events", true},
		{"sync fifo", "pay-events.fifo", false},
		{"async fifo", "pay-events.fifo", true}, // queued for the hand-over goroutine
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, err := NewChannelTransport(ChannelConfig{Async: c.async})
			require.NoError(t, err)
			svc, err := NewService(ServiceConfig{Name: "bank", Transport: tr, Listen: []string{"pay", c.events}})
			require.NoError(t, err)
			accounts := NewSaga[closeAccount](svc, "account")
			cards := NewView[closeCard](svc, "card")
			entered, release := make(chan struct{}), make(chan struct{})
			require.NoError(t, errors.Join(
				RegisterCommand[closePay](svc, "bank.Pay", "pay"),
				RegisterEvent[closePaid](svc, "bank.Paid", c.events),
				Handle(accounts, func(_ context.Context, a *closeAccount, _ closePay, _ Envelope) ([]any, error) {
					close(entered)
					<-release
					a.Paid = true
					return []any{closePaid{}}, nil
				}),
				Project(cards, func(_ context.Context, c *closeCard, _ closePaid, _ Envelope) error {
					c.Paid = true
					return nil
				}),
			))
			require.NoError(t, svc.Start(context.Background()))
			sent := make(chan error, 1)
			go func() {
				_, err := NewAggregate(svc, "account").Send(context.Background(), "a1", closePay{})
				sent <- err
			}()
			<-entered
			closed := make(chan error, 1)
			go func() { closed <- svc.Close() }()
			require.Eventually(t, func() bool {
				tr.mu.Lock()
				defer tr.mu.Unlock()
				return tr.ready[c.events] == 0
			}, 10*time.Second, time.Millisecond, "the event subscription ended while the saga handles")
			close(release)
			require.NoError(t, <-sent)
			require.NoError(t, <-closed)
			require.Eventually(t, func() bool { return tr.DeadLetterCount() > 0 }, 10*time.Second, time.Millisecond,
				"the event is kept, not dropped") // a queued event's hand-over may outlast Close

			account, _, err := accounts.Load(context.Background(), "a1")
			require.NoError(t, err)
			require.True(t, account.Paid, "the saga's change was stored")
			_, found, err := cards.Get(context.Background(), "a1")
			require.NoError(t, err)
			require.False(t, found, "the view never received the event")
			dead := tr.DeadLetters()
			require.Len(t, dead, 1, "the event is kept, not dropped")
			assert.Equal(t, c.events, dead[0].Destination)
			env, err := EnvelopeOf(dead[0].Message)
			require.NoError(t, err)
			assert.Equal(t, "bank.Paid", env.Type)
			assert.Contains(t, dead[0].Reason, "every subscription of the event destination had closed")
		})
	}
}
