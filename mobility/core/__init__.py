"""What every domain package uses: time, column types, labelled enums, errors, state machines,
form fields and the input boundary, view helpers, templating, typed settings, iCalendar."""
