package cli

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// peekVisibility is the visibility timeout of peek's receives, in seconds:
// the shortest the SDK sends, since it leaves 0 out of the request and the
// queue's default then applies.
const peekVisibility = 1

// peekPage is one receive of peek.
type peekPage struct {
	at   time.Time
	msgs []sqstypes.Message
}

// peekLetters receives up to max messages of q without deleting any. It
// stops at max, when a receive brings no message it has not seen, or when
// it has seen as many as q held when resolved. It then hands back the
// messages still hidden, so they are visible again at once.
func peekLetters(ctx context.Context, api dlqSQS, q sqsQueue, max int) ([]deadLetter, error) {
	seen := map[string]bool{}
	var out []deadLetter
	var pages []peekPage
	defer func() { releaseRecent(ctx, api, q.url, pages) }()
	for len(out) < max && (len(out) == 0 || int64(len(out)) < q.visible) {
		msgs, err := receiveLetters(ctx, api, q.url, min(max-len(out), 10), peekVisibility)
		if err != nil {
			return out, err
		}
		pages = append(pages, peekPage{at: time.Now(), msgs: msgs})
		fresh := 0
		for _, m := range msgs {
			id := aws.ToString(m.MessageId)
			if seen[id] || len(out) == max {
				continue
			}
			seen[id] = true
			fresh++
			out = append(out, decodeLetter(m))
		}
		if fresh == 0 {
			break
		}
	}
	return out, nil
}

// releaseRecent makes the messages of the pages received less than
// peekVisibility ago visible again; the others already are.
func releaseRecent(ctx context.Context, api dlqSQS, url string, pages []peekPage) {
	ctx, cancel := settle(ctx)
	defer cancel()
	for _, p := range pages {
		if time.Since(p.at) >= peekVisibility*time.Second {
			continue
		}
		for _, m := range p.msgs {
			_, _ = api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
			})
		}
	}
}

// receiveLetters receives up to n messages of the queue at url with every
// message and system attribute, hiding them for visibility seconds. It
// waits up to a second for messages: a long poll asks every SQS server, so
// an empty answer means an empty queue, where a short poll samples some.
func receiveLetters(ctx context.Context, api dlqSQS, url string, n int, visibility int32) ([]sqstypes.Message, error) {
	out, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: int32(min(max(n, 1), 10)), VisibilityTimeout: visibility, WaitTimeSeconds: 1,
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
	})
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}
