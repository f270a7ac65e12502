package cqrs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// DepositV0 is version 0 of "bank.Deposit": whole units.
type DepositV0 struct {
	Amount int `json:"amount"`
}

// Deposit is version 1: cents, under another field.
type Deposit struct {
	Cents int `json:"cents"`
}

// A field restructured in place: version 1 of "bank.Deposit" declares its
// PayloadVersion and an upcaster from version 0, so the deposits an older
// version of a sender still sends reach the handler in the new shape.
func ExampleUpcast() {
	ctx := context.Background()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	bank, err := cqrs.NewService(cqrs.ServiceConfig{Name: "bank", Transport: tr, Listen: []string{"deposits"}})
	if err != nil {
		panic(err)
	}
	fromUnits := func(raw []byte) ([]byte, error) {
		var v0 DepositV0
		if err := json.Unmarshal(raw, &v0); err != nil {
			return nil, err
		}
		return json.Marshal(Deposit{Cents: v0.Amount * 100})
	}
	err = errors.Join(
		cqrs.RegisterCommand[Deposit](bank, "bank.Deposit", "deposits", cqrs.PayloadVersion(1), cqrs.Upcast(0, fromUnits)),
		cqrs.Handle(cqrs.NewSaga[Account](bank, "account"), func(_ context.Context, _ *Account, d Deposit, env cqrs.Envelope) ([]any, error) {
			fmt.Printf("deposited %d cents (payload version %d)\n", d.Cents, env.PayloadVersion)
			return nil, nil
		}),
	)
	if err != nil {
		panic(err)
	}
	if err := bank.Start(ctx); err != nil {
		panic(err)
	}
	defer bank.Close()

	// An older teller still sends version 0.
	teller, err := cqrs.NewService(cqrs.ServiceConfig{Name: "teller", Transport: tr})
	if err != nil {
		panic(err)
	}
	if err := cqrs.RegisterCommand[DepositV0](teller, "bank.Deposit", "deposits"); err != nil {
		panic(err)
	}
	if err := teller.Start(ctx); err != nil {
		panic(err)
	}
	defer teller.Close()
	if _, err := cqrs.NewAggregate(teller, "teller").Send(ctx, "acc-1", DepositV0{Amount: 5}); err != nil {
		panic(err)
	}
	if _, err := cqrs.NewAggregate(bank, "teller").Send(ctx, "acc-1", Deposit{Cents: 250}); err != nil {
		panic(err)
	}
	// Output:
	// deposited 500 cents (payload version 1)
	// deposited 250 cents (payload version 1)
}
