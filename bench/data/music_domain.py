"""A fifth domain, written blind from the README and measured before any change: a music player.

Seven orchestrations (play, volume, playlists, search, a sleep timer, lyrics) over a small
built-in catalogue (no network), registered with the public API only (`Orchestration`).
`python -m bench routing --orchestrations bench/data/music_domain.py --cases bench/data/routing_music.jsonl --json`
measures how the embedded model routes it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from orchestrations import Orchestration, OrchestrationData, RunContext, Table

CATALOGUE = [
    ("Bohemian Rhapsody", "Queen", "A Night at the Opera", 1975), ("Don't Stop Me Now", "Queen", "Jazz", 1978),
    ("Hey Jude", "The Beatles", "Hey Jude", 1968), ("Here Comes the Sun", "The Beatles", "Abbey Road", 1969),
    ("Bad Guy", "Billie Eilish", "When We All Fall Asleep", 2019), ("Blinding Lights", "The Weeknd", "After Hours", 2020),
    ("Clair de Lune", "Claude Debussy", "Suite bergamasque", 1905), ("So What", "Miles Davis", "Kind of Blue", 1959),
    ("Take Five", "Dave Brubeck", "Time Out", 1959), ("Rolling in the Deep", "Adele", "21", 2011),
    ("Wonderwall", "Oasis", "Morning Glory", 1995), ("Dreams", "Fleetwood Mac", "Rumours", 1977),
]
"""(title, artist, album, year)."""
PLAYLISTS: dict[str, list[str]] = {"Road Trip": ["Wonderwall", "Dreams"], "Focus": ["Clair de Lune", "So What"], "Workout": ["Blinding Lights"]}


def _matching(query: str) -> list[tuple[str, str, str, int]]:
    q = query.strip().lower()
    return [row for row in CATALOGUE if any(q in str(x).lower() for x in row[:3])]


def _tracks(rows: list[tuple[str, str, str, int]]) -> Table:
    return Table("Tracks", ["title", "artist", "album", "year"], [list(r) for r in rows])


class PlayParams(BaseModel):
    query: str = Field(description="What to play: a song, an artist, an album or a playlist, as the user names it")
    kind: Literal["song", "artist", "album", "playlist"] = Field("song", description="What the query names")
    shuffle: bool = Field(False, description="Play in random order")


class PlayMusic(Orchestration[PlayParams]):
    name = "play_music"
    description = "Start playing music: a song, an artist, an album or one of the user's playlists."
    examples = ["Play Bohemian Rhapsody", "Put on some Miles Davis", "Play my Road Trip playlist on shuffle", "I want to hear the album Rumours"]
    Params = PlayParams

    async def gather(self, params: PlayParams, ctx: RunContext) -> OrchestrationData:
        rows = [r for t in PLAYLISTS.get(params.query.title(), []) for r in _matching(t)] if params.kind == "playlist" else _matching(params.query)
        return OrchestrationData(tables={"queue": _tracks(rows)}, facts={"shuffle": params.shuffle})


class VolumeParams(BaseModel):
    level: int = Field(description="The new volume, 0 to 100", ge=0, le=100)


class SetVolume(Orchestration[VolumeParams]):
    name = "set_volume"
    description = "Change how loud the music plays: set the volume to a level from 0 to 100."
    examples = ["Set the volume to 40", "Turn it up to 80", "Make it quieter, volume 20"]
    Params = VolumeParams

    async def gather(self, params: VolumeParams, ctx: RunContext) -> OrchestrationData:
        return OrchestrationData(facts={"volume": params.level})


class AddParams(BaseModel):
    song: str = Field(description="The song to add")
    playlist: str = Field(description="The playlist to add it to")


class AddToPlaylist(Orchestration[AddParams]):
    name = "add_to_playlist"
    description = "Add a song to one of the user's playlists."
    examples = ["Add Hey Jude to my Road Trip playlist", "Put Take Five on Focus", "Save this song to Workout"]
    Params = AddParams

    async def gather(self, params: AddParams, ctx: RunContext) -> OrchestrationData:
        PLAYLISTS.setdefault(params.playlist.title(), []).append(params.song)
        return OrchestrationData(facts={"playlist": params.playlist, "songs": len(PLAYLISTS[params.playlist.title()])})


class CreateParams(BaseModel):
    name: str = Field(description="The new playlist's name")
    public: bool = Field(False, description="Whether other people can see it")


class CreatePlaylist(Orchestration[CreateParams]):
    name = "create_playlist"
    description = "Make a new, empty playlist with a name."
    examples = ["Create a playlist called Sunday Morning", "Make a new public playlist named Party", "Start a playlist for my dinner party"]
    Params = CreateParams

    async def gather(self, params: CreateParams, ctx: RunContext) -> OrchestrationData:
        PLAYLISTS.setdefault(params.name, [])
        return OrchestrationData(facts={"created": params.name, "public": params.public})


class SearchParams(BaseModel):
    query: str = Field(description="Words to look for in titles, artists and albums")
    kind: Literal["any", "song", "artist", "album"] = Field("any", description="Only this kind of result")
    year: int | None = Field(None, description="Only music released in this year")


class SearchMusic(Orchestration[SearchParams]):
    name = "search_music"
    description = "Search the music catalogue for songs, artists or albums without playing them."
    examples = ["Find songs by Adele", "Search for albums called Jazz", "What did Oasis release in 1995?", "Look up Fleetwood Mac"]
    Params = SearchParams

    async def gather(self, params: SearchParams, ctx: RunContext) -> OrchestrationData:
        rows = [r for r in _matching(params.query) if params.year is None or r[3] == params.year]
        return OrchestrationData(tables={"results": _tracks(rows)})


class TimerParams(BaseModel):
    minutes: int = Field(description="Stop playing after this many minutes", ge=1, le=240)


class SleepTimer(Orchestration[TimerParams]):
    name = "sleep_timer"
    description = "Stop the music automatically after some minutes (a sleep timer)."
    examples = ["Stop the music in 30 minutes", "Set a sleep timer for 45 minutes", "Turn off the music after an hour (60 minutes)"]
    Params = TimerParams

    async def gather(self, params: TimerParams, ctx: RunContext) -> OrchestrationData:
        return OrchestrationData(facts={"stops_in_minutes": params.minutes})


class LyricsParams(BaseModel):
    song: str = Field(description="The song's title")
    artist: str | None = Field(None, description="Who sings it, if the user says")


class ShowLyrics(Orchestration[LyricsParams]):
    name = "show_lyrics"
    description = "Show the words (lyrics) of a song."
    examples = ["Show me the lyrics of Hey Jude", "What are the words to Wonderwall by Oasis?", "Lyrics for Dreams"]
    Params = LyricsParams

    async def gather(self, params: LyricsParams, ctx: RunContext) -> OrchestrationData:
        found = _matching(params.song)
        return OrchestrationData(tables={"song": _tracks(found[:1])}, facts={"lyrics": "(sample catalogue: lyrics not stored)"})


ORCHESTRATIONS: list[type[Orchestration]] = [PlayMusic, SetVolume, AddToPlaylist, CreatePlaylist, SearchMusic, SleepTimer, ShowLyrics]
