package dynamostore

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// unanswering is an endpoint that takes every request and never answers
// it (a connection the network dropped without a reset): the request ends
// only when its context does, or when the test releases it.
type unanswering struct{ release chan struct{} }

func (u unanswering) Do(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".DescribeTable") { // New checks the tables
		raw, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		status, out := TableDescribed(raw)
		return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
			Body: io.NopCloser(strings.NewReader(out)), Request: req}, nil
	}
	select {
	case <-req.Context().Done():
		return nil, req.Context().Err()
	case <-u.release:
		return nil, http.ErrHandlerTimeout
	}
}

// A handling (whose context has no deadline: awsbus's heartbeat keeps its
// message in flight for as long as it runs) and the outbox's sweep call
// DynamoDB with the SDK's default HTTP client, which has no timeout. A
// request that is never answered must still fail in bounded time, so that
// the message is released and delivered again and the sweep goes on;
// instead the call waits for ever, holding the message, the entity and
// the sweep. With 1% of requests unanswered, examples/orders (three
// instances on DynamoDB) stops completing orders within seconds.
func TestDynFaultUnansweredRequestFailsInBoundedTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := unanswering{release: make(chan struct{})}
		api := dynamodb.New(dynamodb.Options{
			Region: "us-east-1", BaseEndpoint: aws.String("http://dynamodb.invalid"),
			Credentials: credentials.NewStaticCredentialsProvider("x", "y", ""), HTTPClient: u,
		})
		st, err := New(context.Background(), Config{Client: api, Provisioning: topology.ProvisionAssume})
		require.NoError(t, err)

		sequence := make(chan error, 1)
		go func() {
			_, err := st.Commands().NextSequence(context.Background(), "e1")
			sequence <- err
		}()
		time.Sleep(10 * time.Minute)
		select {
		case err := <-sequence:
			assert.Error(t, err)
		default:
			t.Error("NextSequence still waits for an answer after 10 minutes")
			close(u.release)
			<-sequence
			return
		}
		close(u.release)
	})
}
