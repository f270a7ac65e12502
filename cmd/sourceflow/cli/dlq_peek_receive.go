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

// peekPage is one receive of peek: when it was made and the receipt
// handles of what it brought.
type peekPage struct {
	at      time.Time
	handles []*string
}

// peekLetters receives up to max messages of q without deleting any (see
// peekEach).
func peekLetters(ctx context.Context, api dlqSQS, q sqsQueue, max int) ([]deadLetter, error) {
	var out []deadLetter
	_, err := peekEach(ctx, api, q, max, func(d deadLetter) { out = append(out, d) })
	return out, err
}

// peekEach receives up to max messages of q without deleting any, calls
// each with every one it had not seen, and returns how many that was. It
// stops at max, when a receive brings no message it has not seen, or when
// it has seen as many as q held when resolved. It then hands back the
// messages still hidden, so they are visible again at once.
func peekEach(ctx context.Context, api dlqSQS, q sqsQueue, max int, each func(deadLetter)) (int, error) {
	seen := map[string]bool{}
	var pages []peekPage
	defer func() { releaseRecent(ctx, api, q.url, pages) }()
	for len(seen) < max && (len(seen) == 0 || int64(len(seen)) < q.visible) {
		msgs, err := receiveLetters(ctx, api, q.url, min(max-len(seen), 10), peekVisibility)
		if err != nil {
			return len(seen), err
		}
		page := peekPage{at: time.Now()}
		fresh := 0
		for _, m := range msgs {
			page.handles = append(page.handles, m.ReceiptHandle)
			id := aws.ToString(m.MessageId)
			if seen[id] || len(seen) == max {
				continue
			}
			seen[id] = true
			fresh++
			each(decodeLetter(m))
		}
		pages = append(pages, page)
		if fresh == 0 {
			break
		}
	}
	return len(seen), nil
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
		for _, h := range p.handles {
			_, _ = api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl: aws.String(url), ReceiptHandle: h, VisibilityTimeout: 0,
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
