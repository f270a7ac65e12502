package cli_test

import (
	"context"
	"path"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// lookupSQS counts the GetQueueUrl calls of each queue name; with
// accountless, it answers URLs that name no account, as some emulators
// do ("http://localhost:9324/queue/NAME"), and takes them back in the
// calls that read a queue.
type lookupSQS struct {
	*awsbustest.SQS
	accountless bool
	mu          *sync.Mutex
	lookups     map[string]int
}

func newLookupSQS(q *awsbustest.SQS, accountless bool) lookupSQS {
	return lookupSQS{SQS: q, accountless: accountless, mu: &sync.Mutex{}, lookups: map[string]int{}}
}

func (l lookupSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	l.mu.Lock()
	l.lookups[aws.ToString(in.QueueName)]++
	l.mu.Unlock()
	out, err := l.SQS.GetQueueUrl(ctx, in, opts...)
	if err == nil && l.accountless {
		out.QueueUrl = aws.String("http://localhost:9324/queue/" + aws.ToString(in.QueueName))
	}
	return out, err
}

func (l lookupSQS) url(u *string) *string {
	return aws.String(l.SQS.QueueURL(path.Base(aws.ToString(u))))
}

func (l lookupSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	c := *in
	c.QueueUrl = l.url(in.QueueUrl)
	return l.SQS.GetQueueAttributes(ctx, &c, opts...)
}

func (l lookupSQS) ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, opts ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	c := *in
	c.QueueUrl = l.url(in.QueueUrl)
	return l.SQS.ListQueueTags(ctx, &c, opts...)
}

// keyFakeWithQueue is newKeyFake with the queue orders.fifo created, no
// STS client and no AWS_ACCOUNT_ID: the account is the queue's alone.
func keyFakeWithQueue(t *testing.T) (*fakeAWS, string) {
	t.Helper()
	t.Setenv("AWS_ACCOUNT_ID", "")
	fake, key, path := newKeyFake(t)
	fake.kms.SetKeyAccount(key, fake.sqs.AccountID())
	_, err := fake.sqs.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("orders.fifo"),
		Attributes: map[string]string{"FifoQueue": "true"}})
	require.NoError(t, err)
	fake.noSTS = true
	return fake, path
}

// A queue's ARN gives the account of the key-policy command when its URL
// names none: the command carries it, not a placeholder.
func TestKeyPolicyHintTakesTheAccountOfAQueueARN(t *testing.T) {
	fake, path := keyFakeWithQueue(t)
	want := "`sourceflow iam-policy -f " + path + " --account-id " + fake.sqs.AccountID() + " --key-policy`"
	for _, command := range []string{"plan", "validate"} {
		t.Run(command, func(t *testing.T) {
			out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
				c.SQS = newLookupSQS(fake.sqs, true)
			}, command, "-f", path)

			assert.NotEqual(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, out+errOut, want)
			assert.NotContains(t, out+errOut, "ACCOUNT_ID")
		})
	}
}

// Finding the account for the key-policy command looks no queue up again:
// each queue's URL is asked for once, by the comparison itself.
func TestKeyPolicyHintLooksNoQueueUpTwice(t *testing.T) {
	fake, path := keyFakeWithQueue(t)
	for _, command := range []string{"plan", "validate"} {
		t.Run(command, func(t *testing.T) {
			l := newLookupSQS(fake.sqs, false)

			out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) { c.SQS = l }, command, "-f", path)

			assert.NotEqual(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, out+errOut, "--account-id "+fake.sqs.AccountID()+" --key-policy")
			for name, n := range l.lookups {
				assert.Equal(t, 1, n, "GetQueueUrl calls of %s", name)
			}
		})
	}
}
