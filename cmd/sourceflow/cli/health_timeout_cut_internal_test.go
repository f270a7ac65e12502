package cli

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// Checks cut short by --check-timeout while --timeout had time left are
// worded with --check-timeout, even when --timeout ended before the last
// checks did: 9 topics that never answer, 8 checked at once, each within
// 10s, the run within 15s. The first 8 end by their own bound at 10s; the
// ninth, started then, by the run's at 15s.
func TestTimeoutOfEachCheckIsTheOneThatEndedIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const checkTimeout = 10 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		probes := make([]topology.Probe, topology.MaxParallelReads+1)
		for i := range probes {
			probes[i] = topology.Probe{Name: fmt.Sprintf("t%d", i), Kind: "topic", Run: func(ctx context.Context) error {
				<-ctx.Done()
				return callOf(sns.ServiceID, ctx.Err())
			}}
		}
		failed := failedCalls(ctx, probes)
		checks := topology.RunProbes(ctx, checkTimeout, probes)
		s := &session{clients: Clients{Region: "us-east-1"}}

		text := s.unmadeText(ctx, checkTimeout, checks, failed)

		assert.Contains(t, text, "\nt0 (topic), t1 (topic), t2 (topic), t3 (topic), t4 (topic), t5 (topic), t6 (topic), "+
			"t7 (topic): SNS did not answer within --check-timeout (10s)")
		assert.Contains(t, text, "\nt8 (topic): SNS did not answer within --timeout:")
	})
}

// A call cut by --check-timeout while --timeout had time left is advised
// with --check-timeout when no call reached AWS, even once --timeout has
// ended.
func TestNoAnswerNamesTheBoundThatEndedTheCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		probes := []topology.Probe{{Name: "t", Kind: "topic", Run: func(ctx context.Context) error {
			<-ctx.Done()
			return callOf(sns.ServiceID, ctx.Err())
		}}}
		failed := failedCalls(ctx, probes)
		topology.RunProbes(ctx, 10*time.Second, probes)
		<-ctx.Done()
		s := &session{clients: Clients{Region: "us-east-1"}}

		err := noAnswer(ctx, s, healthFlags{checkTimeout: 10 * time.Second}, failed[0])

		assert.Contains(t, err.Error(), "SNS did not answer within --check-timeout (10s)")
	})
}
