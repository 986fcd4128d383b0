"""Set for the whole test run, doctests in ``src/`` included."""

import os

# Messages are Dutch unless the locale is English. The suite reads them in English, whatever the machine's locale;
# the tests of the messages themselves set the language they check (and one checks that Dutch is the default).
os.environ["INCLUSIEF_INKOPEN_LANG"] = "en"
