"""A subscription's executor does not keep something per event delivered."""

from graphql import build_schema, parse
from graphql.execution.executor import Executor

from schema import per_event_memo

SDL = "type Query { dummy: String } type Thing { a: Int b: Int } type Subscription { thing: Thing }"


def test_event_executors_do_not_add_to_the_subscriptions_memo():
    per_event_memo.install()
    executor = Executor.build(build_schema(SDL), parse("subscription { thing { a b } }"))
    for n in range(50):
        result = executor.build_per_event_executor({"thing": {"a": n, "b": n}}).execute_operation(False)
        assert result.data == {"thing": {"a": n, "b": n}}
    assert len(executor._relevant_sub_fields) == 0
