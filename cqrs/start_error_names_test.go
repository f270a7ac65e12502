package cqrs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// refusingTransport is a ChannelTransport that refuses the publisher or
// the subscriber of one destination.
type refusingTransport struct {
	*cqrs.ChannelTransport
	publisher, subscriber string
}

var errRefused = errors.New("refused by the transport")

func (t refusingTransport) Publisher(destination string) (message.Publisher, error) {
	if destination == t.publisher {
		return nil, errRefused
	}
	return t.ChannelTransport.Publisher(destination)
}

func (t refusingTransport) Subscriber(destination string) (message.Subscriber, error) {
	if destination == t.subscriber {
		return nil, errRefused
	}
	return t.ChannelTransport.Subscriber(destination)
}

// Every error of a Start names the service, once: a process starting
// several services can tell which one failed.
func TestEveryStartErrorNamesTheServiceOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) error
	}{
		{"a listened destination without handlers", func(t *testing.T) error {
			svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Transport: newTransport(t), Listen: []string{"invoices"}})
			require.NoError(t, err)
			return svc.Start(context.Background())
		}},
		{"a publisher refused", func(t *testing.T) error {
			app := newOrderApp(t, cqrs.ServiceConfig{Name: "billing", Transport: refusingTransport{ChannelTransport: newTransport(t), publisher: "payments"}})
			return app.svc.Start(context.Background())
		}},
		{"a subscriber refused", func(t *testing.T) error {
			app := newOrderApp(t, cqrs.ServiceConfig{Name: "billing", Transport: refusingTransport{ChannelTransport: newTransport(t), subscriber: "payments"}})
			return app.svc.Start(context.Background())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.start(t)
			require.Error(t, err)
			assert.Equal(t, 1, strings.Count(err.Error(), `"billing"`), "the error names the service once: %v", err)
		})
	}
}
