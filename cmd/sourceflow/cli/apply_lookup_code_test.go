package cli_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// nonExistentSQS says a queue is missing with the error code
// AWS.SimpleQueueService.NonExistentQueue, untyped, as an endpoint that
// spells it so does, and counts the lookups by queue name.
type nonExistentSQS struct {
	topology.SQSAPI
	mu      sync.Mutex
	lookups map[string]int
}

func (s *nonExistentSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	s.mu.Lock()
	s.lookups[aws.ToString(in.QueueName)]++
	s.mu.Unlock()
	out, err := s.SQSAPI.GetQueueUrl(ctx, in, opts...)
	if missing := (*sqstypes.QueueDoesNotExist)(nil); errors.As(err, &missing) {
		return nil, &smithy.GenericAPIError{Code: "AWS.SimpleQueueService.NonExistentQueue", Message: missing.ErrorMessage()}
	}
	return out, err
}

// A queue an endpoint says is missing in the other spelling of the error,
// which the Provisioner takes as missing too, is looked up once for the
// comparison before and the changes as well.
func TestApply_KeepsAMissingQueueInEitherSpelling(t *testing.T) {
	fake := newFakeAWS()
	path, twice := ordersApplyLookups(t)
	cfg, out, errOut := fake.config("")
	clients := cfg.Clients
	counting := &nonExistentSQS{lookups: map[string]int{}}
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		counting.SQSAPI = c.SQS
		c.SQS = counting
		return c, err
	}

	code := cli.Run(context.Background(), cfg, []string{"apply", "-f", path})

	require.Equal(t, cli.ExitOK, code, errOut.String())
	assert.Contains(t, out.String(), "created queue orders.fifo\n")
	assert.Equal(t, twice, counting.lookups)
}
