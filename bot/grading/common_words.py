"""Frequent English words that say nothing about topic (used by the off-topic check)."""

COMMON_WORDS = frozenset(
    """after again against ago ahead almost alone along already always am among another
    anything around away back bad before began begin behind being below best better big bit
    came come comes coming day days did different does doing done down during early end
    enough even ever everything example few find first five for four give given gives go
    goes going gone good got great had half hand happen happens hard help high home however
    idea important keep kind know last later least left let little long look looking lot
    lots low many maybe might minute minutes much need needs never new next nice now number
    off often old once open order out over own part people per perhaps place point put quite
    rather really right said same saw say says see seem seems set several should show side
    simple simply small something sometimes soon start still stuff sure take takes taking
    tell ten thing things think third though thought three through time times today together
    too took top toward try trying turn two under up upon use used uses using usually want
    wants way ways week well went whole will within without work works world year years yet
    basically actually generally just okay ok yeah um uh like thats dont doesnt isnt cant
    whats lets youre were theyre im ive id""".split()
)

# Words of the trade too general to show any one idea: alone, a phrase of one of them is weak
# evidence ("randomly", "information", "key" for queries/keys/values) and covers nothing.
GENERIC_TERMS = frozenset(
    """random randomly inference information key keys value values data model models training
    train trained learning learn error errors feature features input inputs output outputs
    result results function method algorithm problem performance prediction predictions predict
    parameter parameters task network layer layers sample samples test testing set sets weight
    weights score scores class classes label labels loss accuracy""".split()
)
