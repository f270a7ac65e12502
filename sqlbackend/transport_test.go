package sqlbackend_test

import (
	"context"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// recordingTransport is a transport that records its Close and carries
// nothing.
type recordingTransport struct{ closed atomic.Bool }

var _ cqrs.Transport = (*recordingTransport)(nil)

func (*recordingTransport) Bind(context.Context, sourceflow.Binding) error { return nil }

func (*recordingTransport) Publisher(string) (message.Publisher, error) { return nil, nil }

func (*recordingTransport) Subscriber(string) (message.Subscriber, error) { return nil, nil }

func (r *recordingTransport) Close() error {
	r.closed.Store(true)
	return nil
}
