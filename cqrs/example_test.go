package cqrs_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type OpenAccount struct {
	Owner string `json:"owner"`
}

type AccountOpened struct {
	Owner string `json:"owner"`
}

type Account struct {
	Owner string `json:"owner"`
}

type AccountCard struct {
	Title string `json:"title"`
}

// A service wired on the default in-process transport: an aggregate sends a
// command, a saga handles it and raises an event, a view projects it.
func Example() {
	ctx := context.Background()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "bank", Listen: []string{"accounts", "account-events"}})
	if err != nil {
		panic(err)
	}
	accounts := cqrs.NewSaga[Account](svc, "account")
	cards := cqrs.NewView[AccountCard](svc, "account-card")
	err = errors.Join(
		cqrs.RegisterCommand[OpenAccount](svc, "bank.OpenAccount", "accounts"),
		cqrs.RegisterEvent[AccountOpened](svc, "bank.AccountOpened", "account-events"),
		cqrs.Handle(accounts, func(_ context.Context, a *Account, c OpenAccount, _ cqrs.Envelope) ([]any, error) {
			a.Owner = c.Owner
			return []any{AccountOpened(c)}, nil
		}),
		cqrs.Project(cards, func(_ context.Context, card *AccountCard, e AccountOpened, env cqrs.Envelope) error {
			card.Title = fmt.Sprintf("%s (%s)", e.Owner, env.EntityID)
			return nil
		}),
	)
	if err != nil {
		panic(err)
	}
	if err := svc.Start(ctx); err != nil {
		panic(err)
	}
	defer svc.Close()

	env, err := cqrs.NewAggregate(svc, "account").Send(ctx, "acc-1", OpenAccount{Owner: "Ada"})
	if err != nil {
		panic(err)
	}
	card, found, err := cards.Get(ctx, "acc-1")
	if err != nil || !found {
		panic(fmt.Sprintf("account card: found %v, error %v", found, err))
	}
	fmt.Println(env.Type, env.Sequence)
	fmt.Println(card.Title)
	// Output:
	// bank.OpenAccount 1
	// Ada (acc-1)
}

// A request sent twice with one idempotency key (a client retrying after an
// error it cannot judge) is one command: the second send finds the stored
// command and publishes it again, with its id and sequence number.
func ExampleContextWithIdempotencyKey() {
	ctx := context.Background()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "bank", Listen: []string{"accounts"}})
	if err != nil {
		panic(err)
	}
	err = errors.Join(
		cqrs.RegisterCommand[OpenAccount](svc, "bank.OpenAccount", "accounts"),
		cqrs.Handle(cqrs.NewSaga[Account](svc, "account"), func(_ context.Context, a *Account, c OpenAccount, _ cqrs.Envelope) ([]any, error) {
			a.Owner = c.Owner
			return nil, nil
		}),
	)
	if err != nil {
		panic(err)
	}
	if err := svc.Start(ctx); err != nil {
		panic(err)
	}
	defer svc.Close()

	accounts := cqrs.NewAggregate(svc, "account")
	keyed := cqrs.ContextWithIdempotencyKey(ctx, "request-7")
	first, err := accounts.Send(keyed, "acc-1", OpenAccount{Owner: "Ada"})
	if err != nil {
		panic(err)
	}
	again, err := accounts.Send(keyed, "acc-1", OpenAccount{Owner: "Ada"})
	if err != nil {
		panic(err)
	}
	fmt.Println(first.MessageID == again.MessageID, again.Sequence)
	// Output:
	// true 1
}
