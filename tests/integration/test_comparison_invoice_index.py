"""The comparison's invoice index on the emulator's DynamoDB: batches past the API limits, and
calculations registered for the same invoices at the same moment."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from contracts.events.refs import ObjectRef
from services.comparison.invoice_index import Declaration, InvoiceIndex
from services.runtime.context import RuntimeContext


def dataset(name: str) -> ObjectRef:
    return ObjectRef(
        uri=f"s3://ior-processed/normalized/{name}.jsonl", sha256="a" * 64, row_count=1
    )


def declarations(invoices: list[str], extract_id: str) -> list[Declaration]:
    return [
        Declaration(invoice_number=invoice, extract_id=extract_id, lines=dataset(extract_id))
        for invoice in invoices
    ]


def test_250_invoices_are_declared_and_read_back_across_request_limits(context: RuntimeContext):
    index = InvoiceIndex(context.clients.dynamodb)
    invoices = [f"9{n:09d}" for n in range(250)]
    index.declare(declarations(invoices, "ZSDR002-1"))
    found = index.declarations([*invoices, "unknown"])
    assert sorted(found) == invoices
    assert {declaration.extract_id for declaration in found.values()} == {"ZSDR002-1"}
    assert index.waiting(invoices) == set()


def test_a_later_declaration_wins_and_keeps_the_waiting_calculations(context: RuntimeContext):
    index = InvoiceIndex(context.clients.dynamodb)
    index.await_declarations(["9100000001"], "CALC-A")
    index.declare(declarations(["9100000001"], "ZSDR002-1"))
    index.declare(declarations(["9100000001"], "ZSDR002-2"))
    assert index.declarations(["9100000001"])["9100000001"].extract_id == "ZSDR002-2"
    assert index.waiting(["9100000001"]) == {"CALC-A"}


def test_calculations_registered_at_the_same_moment_are_all_kept(context: RuntimeContext):
    index = InvoiceIndex(context.clients.dynamodb)
    invoices = [f"92{n:08d}" for n in range(101)]  # two transactions per calc
    calc_ids = [f"CALC-{n}" for n in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda calc_id: index.await_declarations(invoices, calc_id), calc_ids))
    for invoice in invoices:
        assert index.waiting([invoice]) == set(calc_ids)
    assert index.declarations(invoices) == {}


def test_requests_grow_with_the_batch_limits_not_with_the_invoices(context: RuntimeContext):
    calls: Counter[str] = Counter()
    context.clients.dynamodb.meta.events.register(
        "before-parameter-build.dynamodb", lambda event_name, **_: calls.update([event_name])
    )
    index = InvoiceIndex(context.clients.dynamodb)
    invoices = [f"93{n:08d}" for n in range(150)]
    index.declare(declarations(invoices, "ZSDR002-1"))
    index.await_declarations(invoices, "CALC-A")
    index.declarations(invoices)
    index.waiting(invoices)
    assert {name.rsplit(".", 1)[1]: n for name, n in calls.items()} == {
        "BatchWriteItem": 6,  # 25 puts each
        "TransactWriteItems": 2,  # 100 updates each
        "BatchGetItem": 4,  # 100 keys each, declarations and waiting calcs
    }
