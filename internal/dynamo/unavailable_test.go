package dynamo

import (
	"context"
	"errors"
	"net"
	"testing"
	"testing/synctest"

	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A request DynamoDB did not answer, or that could not be sent (the
// connection refused), fails marked sourceflow.StoreUnavailable, so that a
// transport does not count it against a message's deliveries; an answer
// that refuses the request is not marked.
func TestRetryMarksAnUnreachableDynamoDBStoreUnavailable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		err := (&Retry{}).Do(context.Background(), "t", func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		assert.True(t, sourceflow.IsStoreUnavailable(err), "unanswered: %v", err)
		assert.ErrorIs(t, err, ErrUnanswered)
	})
	refused := &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	err := (&Retry{}).Do(context.Background(), "t", func(context.Context) error { return refused })
	assert.True(t, sourceflow.IsStoreUnavailable(err), "not sent: %v", err)
	assert.Equal(t, refused.Error(), err.Error())
	answered := errors.New("ValidationException: one or more parameter values were invalid")
	err = (&Retry{}).Do(context.Background(), "t", func(context.Context) error { return answered })
	assert.False(t, sourceflow.IsStoreUnavailable(err))
}
