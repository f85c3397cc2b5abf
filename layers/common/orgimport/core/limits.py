"""Every size limit of the service, in one place."""

MAX_FILE_BYTES = 10 * 1024 * 1024  # 10 MiB, the contract's file limit
MAX_DATA_ROWS = 1000  # data records per file, header excluded
MAX_INLINE_BODY_BYTES = 6 * 1024 * 1024  # Lambda's synchronous payload limit

NAME_MAX = 255
DESCRIPTION_MAX = 500
TEXT_MAX = 255  # vat, address, city, main_contact, email
NOTES_MAX = 1000
