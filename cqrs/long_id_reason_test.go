package cqrs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A message whose sender chose a 10 KB id, type or envelope value is
// dead-lettered with a reason that names it bounded, as
// sourceflow.IDText does, and keeps the cause after it readable: the reason
// is cut to 512 bytes, which the whole value would fill.
func TestDeadLetterReasonKeepsTheCauseAfterALongID(t *testing.T) {
	long := strings.Repeat("u", 10_000)
	q := `"` + sourceflow.IDText(long) + `"`
	create := func(id, entity, payload string) *message.Message {
		return rawCommandID(id, "orders.CreateOrder", entity, payload)
	}
	for name, c := range map[string]struct {
		msg  *message.Message
		want []string
	}{
		"unknown type, long id": {rawCommandID(long, "orders.Unheard", "o-1", `{}`),
			[]string{cqrs.ErrUnknownType.Error() + `: "orders.Unheard" on destination "orders" (message ` + q + ")"}},
		"long unknown type": {rawCommandID("m-1", long, "o-1", `{}`),
			[]string{cqrs.ErrUnknownType.Error() + ": " + q + ` on destination "orders" (message "m-1")`}},
		"empty entity id, long id": {create(long, "", `{"amount":1}`),
			[]string{cqrs.ErrEmptyEntityID.Error() + `: command "orders.CreateOrder" (message ` + q + ")"}},
		"payload that does not decode, long id": {create(long, "o-1", `{"amount":"many"}`),
			[]string{"orders.CreateOrder " + q + ": " + cqrs.ErrDecode.Error(), "cannot unmarshal string"}},
		"long sequence": {withMetadata(create("m-1", "o-1", `{"amount":1}`), sourceflow.MetaSequence, long),
			[]string{sourceflow.MetaSequence + " " + q + " is not an integer"}},
		"long occurrence time": {withMetadata(create("m-1", "o-1", `{"amount":1}`), sourceflow.MetaOccurredAt, long),
			[]string{sourceflow.MetaOccurredAt + " " + q + " is not RFC 3339"}},
		"long replay flag": {withMetadata(create("m-1", "o-1", `{"amount":1}`), sourceflow.MetaReplay, long),
			[]string{sourceflow.MetaReplay + " " + q + " is not a boolean"}},
	} {
		t.Run(name, func(t *testing.T) {
			app, pub, _ := newBadInputApp(t)

			require.NoError(t, pub.Publish("orders", c.msg))

			dead := app.transport.DeadLetters()
			require.Len(t, dead, 1)
			for _, want := range c.want {
				assert.Contains(t, dead[0].Reason, want)
			}
		})
	}
}

// A command with a 10 KB id whose event cannot be published is
// dead-lettered with a reason that names the command once, bounded, and
// keeps the publish's cause readable.
func TestDeadLetterReasonOfAFailedRaiseKeepsTheCauseAfterALongID(t *testing.T) {
	long := strings.Repeat("u", 10_000)
	failing := func(message.Publisher) (message.Publisher, error) { return brokenPublisher{}, nil }
	app := newOrderApp(t, cqrs.ServiceConfig{Hooks: cqrs.Hooks{EventDispatch: []message.PublisherDecorator{failing}}})
	app.start(t)
	pub, err := app.transport.Publisher("orders")
	require.NoError(t, err)

	require.NoError(t, pub.Publish("orders", rawCommandID(long, "orders.CreateOrder", "o-1", `{"amount":1}`)))

	dead := app.transport.DeadLetters()
	require.Len(t, dead, 1)
	assert.Contains(t, dead[0].Reason, `orders.CreateOrder "`+sourceflow.IDText(long)+`": cqrs: raise orders.OrderCreated: `)
	assert.Contains(t, dead[0].Reason, "broker unavailable")
}

// brokenPublisher fails every publish.
type brokenPublisher struct{}

func (brokenPublisher) Publish(string, ...*message.Message) error {
	return errors.New("broker unavailable")
}

func (brokenPublisher) Close() error { return nil }

// A command or event about an entity whose sender chose a 10 KB entity id,
// whose saga state or view model cannot be loaded, is dead-lettered (with
// the events of the view's case) with a reason that names the entity
// bounded and keeps the store's cause readable.
func TestDeadLetterReasonKeepsTheStoresCauseAfterALongEntityID(t *testing.T) {
	long := strings.Repeat("e", 10_000)
	q := `"` + sourceflow.IDText(long) + `"`
	for name, c := range map[string]struct {
		cfg  cqrs.ServiceConfig
		want string
	}{
		"saga state": {cqrs.ServiceConfig{EntityStore: unreachableDocs{cqrs.NewMemoryStore()}}, "cqrs: load order " + q + ": store unreachable"},
		"view model": {cqrs.ServiceConfig{ViewStore: unreachableDocs{cqrs.NewMemoryStore()}}, "cqrs: load order-summary " + q + ": store unreachable"},
	} {
		t.Run(name, func(t *testing.T) {
			app := newOrderApp(t, c.cfg)
			app.start(t)
			pub, err := app.transport.Publisher("orders")
			require.NoError(t, err)

			require.NoError(t, pub.Publish("orders", rawCommandID("m-1", "orders.CreateOrder", long, `{"amount":1}`)))

			dead := app.transport.DeadLetters()
			require.NotEmpty(t, dead)
			for _, d := range dead {
				assert.Contains(t, d.Reason, c.want)
			}
		})
	}
}

// unreachableDocs is a document store that cannot load.
type unreachableDocs struct{ cqrs.DocumentStore }

func (unreachableDocs) Load(context.Context, string, string) (cqrs.Document, error) {
	return cqrs.Document{}, errors.New("store unreachable")
}

// A message whose sender chose an id of 10 KB of quotes, each escaped in
// the reason, is dead-lettered with a reason that still ends with the
// cause.
func TestDeadLetterReasonKeepsTheCauseAfterAnIDOfQuotes(t *testing.T) {
	app, pub, _ := newBadInputApp(t)

	require.NoError(t, pub.Publish("orders", rawCommandID(strings.Repeat(`"`, 10_000), "orders.CreateOrder", "", `{"amount":1}`)))

	dead := app.transport.DeadLetters()
	require.Len(t, dead, 1)
	assert.Contains(t, dead[0].Reason, `…(10000 bytes)")`)
}
