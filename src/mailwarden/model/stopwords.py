"""Function words left out of the model's features, in the five languages the lures cover.

Why: in the public corpora every non-English message is phishing, so a model that sees
"sie", "de", "vous" learns the *language* rather than the request. Dropping function
words keeps it on content words ("verify", "senha", "konto", "gesperrt").
"""

from __future__ import annotations

_EN = """a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
also may us get got one let s t ll re ve d m don im dear hi hello please thank thanks regards""".split()
_PT = """a o as os um uma uns umas de do da dos das em no na nos nas por para com sem sob sobre que se e ou
mas como mais menos muito muita ja nao sim seu sua seus suas meu minha voce voces ele ela eles elas nos isso
isto esse essa este esta aquele aquela ao aos pelo pela pelos pelas foi ser ter tem sao esta estao
ola caro cara obrigado obrigada""".split()
_ES = """el la los las un una unos unas de del al en por para con sin sobre que se y o pero como mas menos
muy ya no si su sus mi mis tu tus usted ustedes el ella ellos ellas nosotros esto eso este esta ese esa es
son fue ser tiene hola estimado estimada gracias lo le les""".split()
_DE = """der die das den dem des ein eine einer eines einem einen und oder aber als wie auch nicht nur noch
schon zu zum zur im in an am auf aus bei mit nach von vor fur uber unter ist sind war wird werden hat haben
sie ihr ihre ihren ihrem ihrer ich du er es wir uns euch dass wenn so da hier dort hallo liebe lieber
sehr geehrte geehrter danke""".split()
_FR = """le la les un une des de du au aux en dans par pour avec sans sur sous que qui et ou mais comme plus
moins tres deja ne pas non oui son sa ses mon ma mes votre vos notre nos vous nous il elle ils elles ce cet
cette ces est sont etait etre avoir a ont bonjour cher chere merci y l d qu n j c""".split()

STOP_WORDS = frozenset(_EN + _PT + _ES + _DE + _FR)
