"""The roles file and the permissions (reach.domain.roles): the most specific line wins, addresses
match in any case, a fault anywhere gives nobody a role, and what each role may open and see."""

import pytest

from reach.domain.roles import (CENTRE_MANAGER, COMMISSIONER, DATA_OFFICER, Person, RolesFileFault, host_name,
                                is_loopback, line_for, parse_roles, person_for)

ROLES = """email,role,centres
amina.khan@brackenfold.gov.uk,data_officer,
*@brackenfold.gov.uk,commissioner,
*@hubs.brackenfold.gov.uk,centre_manager,BRACKENFOLD-CENTRAL
j.smith@hubs.brackenfold.gov.uk,centre_manager,DEMO01;DEMO03
"""
GROUPS = {"DEMO01": None, "DEMO03": None, "DEMO04": "BRACKENFOLD-CENTRAL", "DEMO05": "BRACKENFOLD-CENTRAL",
          "DEMO06": None}


def lines():
    return parse_roles(ROLES, file_name="roles.csv")


@pytest.mark.parametrize("email, role", [
    ("amina.khan@brackenfold.gov.uk", DATA_OFFICER),        # exact address over *@brackenfold.gov.uk
    ("Amina.Khan@BRACKENFOLD.gov.uk", DATA_OFFICER),        # in any case
    ("someone@brackenfold.gov.uk", COMMISSIONER),
    ("someone@hubs.brackenfold.gov.uk", CENTRE_MANAGER),    # *@hubs... over *@brackenfold...
    ("someone@north.hubs.brackenfold.gov.uk", CENTRE_MANAGER),   # a subdomain of the domain named
    ("j.smith@hubs.brackenfold.gov.uk", CENTRE_MANAGER),
])
def test_the_most_specific_line_wins(email, role):
    assert line_for(lines(), email).role == role


@pytest.mark.parametrize("email", ["someone@otherbrackenfold.gov.uk", "someone@brackenfold.gov.uk.evil.example",
                                   "brackenfold.gov.uk", "", None])
def test_an_address_no_line_matches_has_no_role(email):
    assert line_for(lines(), email) is None
    assert person_for(lines(), email, groups=GROUPS) is None


def test_a_group_id_stands_for_every_centre_of_the_group_and_the_chooser_opens_on_the_first():
    manager = person_for(lines(), "someone@hubs.brackenfold.gov.uk", groups=GROUPS)
    assert manager.centres == {"DEMO04", "DEMO05"} and manager.home_centre == "DEMO04"
    named = person_for(lines(), "J.Smith@hubs.brackenfold.gov.uk", groups=GROUPS)
    assert named.centres == {"DEMO01", "DEMO03"} and named.home_centre == "DEMO01"


def test_what_each_role_may_open_and_see():
    officer = Person(email="a@x.gov.uk", role=DATA_OFFICER)
    commissioner = Person(email="b@x.gov.uk", role=COMMISSIONER)
    manager = Person(email="c@x.gov.uk", role=CENTRE_MANAGER, centres=frozenset({"DEMO04", "DEMO05"}))
    pages = ["", "my-centre", "compare", "map", "what-if", "data"]
    assert [officer.may_open(page) for page in pages] == [True] * 6
    assert [commissioner.may_open(page) for page in pages] == [True] * 5 + [False]
    assert [manager.may_open(page) for page in pages] == [True] * 5 + [False]
    assert (officer.may_import, commissioner.may_import, manager.may_import) == (True, False, False)
    assert officer.sees_records_of("DEMO01") and officer.sees_records_of("DEMO04")
    assert not commissioner.sees_records_of("DEMO01") and not commissioner.sees_records_of("DEMO04")
    assert manager.sees_records_of("DEMO04") and manager.sees_records_of("DEMO05")
    assert not manager.sees_records_of("DEMO01") and not manager.sees_records_of(None)


@pytest.mark.parametrize("text, where", [
    ("", "the file is empty"),
    ("email,role\na@x.gov.uk,data_officer\n", "the column 'centres' is missing"),
    ("email,role,centres\na@x.gov.uk,data_officer,\nb@x.gov.uk,superuser,\n", "row 2, column role"),
    ("email,role,centres\nnot an address,commissioner,\n", "row 1, column email"),
    ("email,role,centres\n*@*.gov.uk,commissioner,\n", "row 1, column email"),
    ("email,role,centres\nm@x.gov.uk,centre_manager,\n", "row 1, column centres"),
    ("email,role,centres\nm@x.gov.uk,centre_manager,DEMO01;<b>x</b>\n", "row 1, column centres"),
    ("email,role,centres\nA@x.gov.uk,commissioner,\na@X.gov.uk,data_officer,\n",
     "row 2, column email: the same address as row 1"),
])
def test_a_faulty_roles_file_is_refused_whole_naming_the_row_and_column(text, where):
    with pytest.raises(RolesFileFault) as fault:
        parse_roles(text, file_name="roles.csv")
    message = str(fault.value)
    assert message.startswith("roles.csv") and where in message and "\n" not in message


def test_columns_in_any_order_and_case_blank_lines_and_a_bom_are_fine():
    text = "\ufeffRole,Centres,EMAIL\n\ncentre_manager, DEMO01 ; DEMO06 ,m@x.gov.uk\n,,\n"
    (line,) = parse_roles(text, file_name="roles.csv")
    assert (line.email, line.role, line.centres, line.row) == ("m@x.gov.uk", CENTRE_MANAGER,
                                                                frozenset({"DEMO01", "DEMO06"}), 2)


@pytest.mark.parametrize("host, expected", [
    ("localhost:8501", True), ("127.0.0.1:8501", True), ("[::1]:8501", True), ("::1", True), ("LOCALHOST", True),
    ("127.0.0.2", True), ("reach.brackenfold.gov.uk", False), ("localhost.evil.example:8501", False),
    ("10.0.0.5:8501", False), ("0.0.0.0", False), ("", False), (None, False),
])
def test_only_this_computer_is_loopback(host, expected):
    assert is_loopback(host) is expected


def test_host_name_drops_the_port_and_brackets():
    assert [host_name(h) for h in ("[::1]:8501", "localhost:8501", "Reach.Example:443")] == \
        ["::1", "localhost", "reach.example"]
