from .bridge import Stream

class SearchStream(Stream):
    FIRST: int
    LAST: int
    ERROR: int

class SearchApi:
    @staticmethod
    def open(root: bytes, pattern: str, ignoreCase: bool, glob: str | None, maxDepth: int, skipHidden: bool,
             maxCount: int, maxFilesize: int, context: int, follow: bool, workers: int,
             streaming: bool) -> Stream: ...
    @staticmethod
    def checkRegex(pattern: str, ignoreCase: bool) -> None: ...
    @staticmethod
    def translate(pattern: str) -> str: ...
