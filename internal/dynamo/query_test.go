package dynamo

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagedAPI answers queries with numbered pages: the page after the start
// key, with a LastEvaluatedKey while pages remain; errs are answered once
// errsAfter pages were served.
type pagedAPI struct {
	API
	pages     int
	errs      []error
	errsAfter int
	starts    []string
}

func (p *pagedAPI) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if len(p.errs) > 0 && len(p.starts) >= p.errsAfter {
		err := p.errs[0]
		p.errs = p.errs[1:]
		return nil, err
	}
	n := 0
	if k, ok := in.ExclusiveStartKey["page"].(*types.AttributeValueMemberN); ok {
		n, _ = strconv.Atoi(k.Value)
	}
	p.starts = append(p.starts, strconv.Itoa(n))
	out := &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{key(strconv.Itoa(n))}}
	if n+1 < p.pages {
		out.LastEvaluatedKey = map[string]types.AttributeValue{"page": &types.AttributeValueMemberN{Value: strconv.Itoa(n + 1)}}
	}
	return out, nil
}

// A throttled request, first or midway, is retried from the same page.
func TestQueryPagesYieldsEveryPageRetryingThrottledRequests(t *testing.T) {
	for _, after := range []int{0, 1} {
		api := &pagedAPI{pages: 3, errs: []error{&types.ProvisionedThroughputExceededException{}}, errsAfter: after}
		r := &Retry{Base: time.Millisecond}
		var items int
		for out, err := range QueryPages(context.Background(), api, r, &dynamodb.QueryInput{}) {
			require.NoError(t, err)
			items += len(out.Items)
		}
		assert.Equal(t, 3, items, "throttled after %d pages", after)
		assert.Equal(t, []string{"0", "1", "2"}, api.starts, "each page starts after the previous one")
		assert.Equal(t, int64(1), r.Stats().Throttled)
	}
}

func TestQueryPagesEndsWithAFailedRequest(t *testing.T) {
	failed := errors.New("access denied")
	api := &pagedAPI{pages: 3, errs: []error{failed}}
	var errs []error
	for out, err := range QueryPages(context.Background(), api, &Retry{}, &dynamodb.QueryInput{}) {
		assert.Nil(t, out)
		errs = append(errs, err)
	}
	assert.Equal(t, []error{failed}, errs)
}

func TestQueryPagesStopsWhenTheLoopBreaks(t *testing.T) {
	api := &pagedAPI{pages: 3}
	for range QueryPages(context.Background(), api, &Retry{}, &dynamodb.QueryInput{}) {
		break
	}
	assert.Equal(t, []string{"0"}, api.starts, "no request after the loop ended")
}

func TestQueryPagesYieldsTheServedPagesThenTheFailure(t *testing.T) {
	failed := errors.New("access denied")
	api := &pagedAPI{pages: 4, errs: []error{failed}, errsAfter: 2}
	var pages int
	var errs []error
	for out, err := range QueryPages(context.Background(), api, &Retry{}, &dynamodb.QueryInput{}) {
		if err != nil {
			assert.Nil(t, out)
			errs = append(errs, err)
			continue
		}
		pages++
	}
	assert.Equal(t, 2, pages)
	assert.Equal(t, []error{failed}, errs, "the sequence ends with the failure")
	assert.Equal(t, []string{"0", "1"}, api.starts)
}
