"""Problems and DataError: what travels between the build's processes arrives whole."""

import pickle

from prebirth.data.problems import DataError, Problem, error, warning


def _problems() -> list[Problem]:
    return [
        error("children.csv", 3, "date_of_birth", "31/02/2021", "not a date", "write the date as YYYY-MM-DD"),
        warning("CIN_2021.xml", "Message/Children/Child[2]", "sex", "9", "an unknown sex code"),
        error("parents.csv", None, None, None, "the file is empty"),
    ]


def test_data_error_survives_pickling_with_its_problems_and_message():
    original = DataError(_problems())
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is DataError
    assert copy.problems == original.problems
    assert str(copy) == str(original)
    # Only the two errors are in the message, each once (the warning is not).
    assert str(copy).startswith("2 problem(s) in the input data:\n")
    assert "children.csv, row 3, column 'date_of_birth': not a date (found '31/02/2021')" in str(copy)
    assert "CIN_2021.xml" not in str(copy)
    assert copy.errors == [p for p in original.problems if p.level == "error"]


def test_data_error_survives_every_pickle_protocol_and_a_process_pool():
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    original = DataError(_problems())
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(original, protocol=protocol)).problems == original.problems
    # As the build sees it: raised in a worker process, raised again in the one that waits.
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        raised = pool.submit(_raise, original.problems).exception(timeout=120)
    assert type(raised) is DataError and raised.problems == original.problems and str(raised) == str(original)


def _raise(problems):
    raise DataError(problems)
